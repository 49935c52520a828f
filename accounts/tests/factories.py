import factory
from allauth.account.models import EmailAddress

from accounts.models import Address, ClientType, User

PASSWORD = "Parola-Buna-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"partner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Ana"
    last_name = "Popescu"
    client_type = ClientType.B2B_PARTNER
    vat_country = "RO"
    vat_number = "18547290"
    phone = "+40721000001"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = "Electro Demo SRL"
    street = "Bd. Unirii nr. 10"
    postal_code = "030823"
    city = "Bucuresti"
    country = "RO"
    phone = "+40721000001"
    is_default = True
