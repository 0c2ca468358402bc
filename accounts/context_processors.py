from accounts.models import Role
from accounts.scopes import has_role


def roles(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {"is_hr": signed_in and has_role(user, Role.HR_ADMIN),
            "is_it_lead": signed_in and has_role(user, Role.IT_LEAD),
            "is_unit_head": signed_in and has_role(user, Role.UNIT_HEAD)}


def password_policy(request):
    from django.conf import settings

    return {"password_min_length": settings.PASSWORD_MIN_LENGTH}
