from django.conf import settings

from chuncheng.core.roles import ADMIN_ROLES, Role, capable, permitted_modules


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.CHUNCHENG_SITE_NAME}
    return {
        "site_name": settings.CHUNCHENG_SITE_NAME,
        "nav_modules": permitted_modules(user.role),
        "is_admin_role": user.role in ADMIN_ROLES,
        "can_manage_accounts": capable(user.role, "manage_accounts"),
        "can_assign_roles": capable(user.role, "assign_roles"),
        "can_search_audit": capable(user.role, "search_audit"),
        "can_view_security_events": capable(user.role, "view_security_events"),
        "role_label": Role(user.role).label if user.role in Role.values else user.role,
    }
