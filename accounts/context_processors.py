from accounts.models import Role
from accounts.scopes import has_role


def roles(request):
    user = getattr(request, "user", None)
    return {"is_hr": bool(user and user.is_authenticated and has_role(user, Role.HR_ADMIN))}
