from django.db import transaction

from .models import Address, User


@transaction.atomic
def address_save(*, user: User, address: Address) -> Address:
    """Save ``address`` for ``user``; the first address, or one marked default, becomes the default."""
    address.user = user
    has_default = Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).exists()
    if not has_default:
        address.is_default = True
    if address.is_default:
        Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    address.save()
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    user, was_default = address.user, address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("name", "id").first()
        if successor:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
