from django.utils.functional import SimpleLazyObject

from . import access


def company(request):
    """The company whose data the visitor may see (or None), read only when a template asks."""
    user = getattr(request, "user", None)
    return {"portal_company": SimpleLazyObject(lambda: access.active_company(user))}
