"""Staff records: the people who learn, author, and administer."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth import passwords
from lms.db import Base, utcnow

ROLES = ("learner", "trainer", "hr", "admin")


class Staff(Base):
    __tablename__ = "lms_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    department: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    position: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    hire_date: Mapped[date | None] = mapped_column(sa.Date)
    manager_no: Mapped[str | None] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # "local": the plugin's own login; "host": maintained from the host application's user adapter.
    source: Mapped[str] = mapped_column(sa.String(16), default="local")
    # Bumped at logout, password change and deactivation: every session cookie issued before
    # carries the old number and stops working (cookies are client-side, so this is the revocation).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last login with the plugin's own password (or activation); None: never logged in.
    last_login_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    role_rows: Mapped[list[StaffRole]] = relationship(
        back_populates="staff", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def set_roles(self, roles: set[str] | frozenset[str]) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        keep = [r for r in self.role_rows if r.role in roles]
        have = {r.role for r in keep}
        self.role_rows = keep + [StaffRole(role=r) for r in sorted(set(roles) - have)]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session cookie of this person (logout everywhere)."""
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and passwords.check_password(self.password_hash, password)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_generation or 0}"

    def __repr__(self) -> str:
        return f"<Staff {self.employee_no}>"


class StaffRole(Base):
    __tablename__ = "lms_staff_roles"

    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_staff.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    staff: Mapped[Staff] = relationship(back_populates="role_rows")
