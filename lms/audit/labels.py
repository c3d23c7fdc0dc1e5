"""What the audit log's action codes mean, in the reader's language, and who may read which.

HR reads the entries about people, the plan, certificates, imports and invitations; an admin reads
everything (logins, API tokens, question authoring too). The codes stay in the table as written.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from lms.audit.models import AuditEntry
from lms.i18n import lazy_gettext as _l

ACTION_LABELS = {
    "staff.create": _l("创建账号"),
    "staff.update": _l("修改员工信息"),
    "staff.roles": _l("修改角色"),
    "staff.activate": _l("恢复在职"),
    "staff.deactivate": _l("停用账号"),
    "staff.import": _l("导入员工名单"),
    "staff.activated": _l("激活账号"),
    "staff.password_reset": _l("重设密码"),
    "invitation.create": _l("发放激活码"),
    "invitation.print": _l("打印激活单"),
    "invitation.email": _l("发送激活邮件"),
    "invitation.revoke": _l("作废激活链接"),
    "plan.requirement.create": _l("新建培训要求"),
    "plan.requirement.update": _l("修改培训要求"),
    "plan.requirement.retire": _l("停用培训要求"),
    "plan.exemption.grant": _l("批准豁免"),
    "plan.exemption.lift": _l("取消豁免"),
    "plan.extension.grant": _l("批准延期"),
    "plan.signoff.record": _l("实操签核"),
    "plan.export": _l("导出名单"),
    "certificate.issue": _l("签发证书"),
    "certificate.issue_failed": _l("证书签发失败"),
    "certificate.reissue": _l("重新签发证书"),
    "certificate.revoke": _l("撤销证书"),
    "certificate.batch": _l("批量打印证书"),
    "questions.import": _l("导入试题"),
    "question.create": _l("新建试题"),
    "question.edit": _l("修改试题"),
    "question.retire": _l("停用试题"),
    "question.restore": _l("恢复试题"),
    "course.quiz_settings": _l("修改测验设置"),
    "api_token.create": _l("创建 API 令牌"),
    "api_token.revoke": _l("撤销 API 令牌"),
    "auth.login_failed": _l("登录失败"),
    "auth.lockout_lifted": _l("解除登录限制"),
    "audit.export": _l("导出审计日志"),
}
# Entries HR may read, by the start of the action code.
HR_PREFIXES = ("staff.", "invitation.", "plan.", "certificate.", "questions.import", "audit.")


def label(action: str) -> str:
    """The action in the reader's language; an unknown code as itself."""
    found = ACTION_LABELS.get(action)
    return str(found) if found is not None else action


def visible_to(roles: Iterable[str]) -> sa.ColumnElement[bool]:
    """The SQL condition for the entries people with ``roles`` may read."""
    if "admin" in set(roles):
        return sa.true()
    return sa.or_(*(AuditEntry.action.startswith(prefix) for prefix in HR_PREFIXES))


def may_read(action: str, roles: Iterable[str]) -> bool:
    """The same rule for one action code (pure), for the action filter's choices."""
    return "admin" in set(roles) or action.startswith(HR_PREFIXES)


def details_text(details: dict | None) -> str:
    """The details as ``key: value`` pairs, lists joined (for the page and the CSV)."""
    parts = []
    for key, value in (details or {}).items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
