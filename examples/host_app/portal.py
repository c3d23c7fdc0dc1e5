"""A small hospital staff portal — its own models, login, JSON API and migrations — with Mingli
mounted at ``/training``. It is what the README's "Embedding" section describes, runnable:

    flask --app portal db upgrade        # the portal's own tables (its own migrations)
    flask --app portal lms init          # Mingli's tables and its bundled courses
    flask --app portal run

The portal knows nothing of Mingli beyond the adapter that says who is logged in and the
``alembic_include_object`` that keeps its autogenerate away from Mingli's tables.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, redirect, request, session, url_for
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

from lms import LMS, StaffIdentity, alembic_include_object

db = SQLAlchemy()
migrate = Migrate()
lms = LMS()


class User(db.Model):
    __tablename__ = "portal_users"
    id = db.Column(db.Integer, primary_key=True)
    badge = db.Column(db.String(32), unique=True, nullable=False)
    name = db.Column(db.String(100), nullable=False)
    department = db.Column(db.String(100))
    title = db.Column(db.String(100))
    is_trainer = db.Column(db.Boolean, default=False, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)


class Note(db.Model):
    __tablename__ = "portal_notes"
    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("portal_users.id"), nullable=False)
    text = db.Column(db.Text, nullable=False)


@lms.user_adapter
def current_staff_identity() -> StaffIdentity | None:
    """Who is logged in to the portal, as Mingli needs to know it."""
    user = db.session.get(User, session.get("user_id", 0))
    if user is None:
        return None
    roles = {"learner", "trainer"} if user.is_trainer else {"learner"}
    return StaffIdentity(user.badge, user.name, user.department, user.title, roles)


def create_portal(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("PORTAL_INSTANCE") or None)
    app.config.update(
        SECRET_KEY=os.environ.get("PORTAL_SECRET_KEY", "portal-dev-only"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("PORTAL_DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'portal.sqlite3'}",
        LMS_URL_PREFIX="/training",
        LMS_LOGIN_URL="/login",
        LMS_CERT_BASE_URL=os.environ.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:5000"),
    )
    app.config.update(config or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).with_name("migrations")),
        include_object=alembic_include_object,  # Mingli migrates its own tables
    )
    lms.init_app(app)

    @app.post("/login")
    def login():
        user = db.session.scalar(db.select(User).where(User.badge == request.form.get("badge")))
        if user is None or not check_password_hash(
            user.password_hash, request.form.get("password", "")
        ):
            return "wrong badge or password", 401
        session["user_id"] = user.id
        return redirect(request.args.get("next") or url_for("home"))

    @app.get("/login")
    def login_form():
        return '<form method="post"><input name="badge"><input name="password" type="password"><button>Log in</button></form>'

    @app.get("/")
    def home():
        return "Portal home"

    @app.post("/api/notes")
    def add_note():  # a JSON API: token-less, as JSON APIs are
        if "user_id" not in session:
            abort(401)
        note = Note(
            author_id=session["user_id"], text=(request.get_json(silent=True) or {}).get("text", "")
        )
        db.session.add(note)
        db.session.commit()
        return jsonify(id=note.id, text=note.text)

    @app.get("/boom")
    def boom():
        raise RuntimeError("the portal's own failure")

    @app.errorhandler(404)
    def not_found(_exc):
        return "Portal: no such page", 404

    @app.errorhandler(500)
    def server_error(_exc):
        return "Portal: something broke", 500

    @app.cli.command("add-user")
    def add_user() -> None:
        """Demo: badge P-1 / password portal-pass, a trainer."""
        db.session.add(
            User(
                badge="P-1",
                name="周护士",
                department="门诊部",
                title="护士",
                is_trainer=True,
                password_hash=generate_password_hash("portal-pass"),
            )
        )
        db.session.commit()

    return app
