import factory
from allauth.account.models import EmailAddress

from accounts.models import Address, ClientType, Company, Membership, MembershipRole, MembershipState, User

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

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        """Partners are active members of their VAT id's company (the first one its administrator).

        ``membership=False`` leaves the person without a company; a state (``"pending"``) sets it.
        """
        if not create or extracted is False or obj.is_staff:
            return
        state = extracted or MembershipState.ACTIVE
        if obj.vat_id:
            company, _created = Company.objects.get_or_create(
                vat_id=obj.vat_id,
                defaults={
                    "legal_name": "Electro Demo SRL" if obj.vat_id == "RO18547290" else f"Firma {obj.vat_id} SRL"
                },
            )
        else:
            company = Company.objects.create(legal_name=obj.get_full_name() or obj.username, is_personal=True)
        has_admin = company.memberships.filter(role=MembershipRole.ADMIN, state=MembershipState.ACTIVE).exists()
        role = kwargs.get("role") or (
            MembershipRole.MEMBER if has_admin or state != MembershipState.ACTIVE else MembershipRole.ADMIN
        )
        Membership.objects.create(user=obj, company=company, role=role, state=state)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    class Params:
        user = factory.SubFactory(UserFactory)

    company = factory.LazyAttribute(lambda o: Membership.objects.get(user=o.user).company)
    name = "Electro Demo SRL"
    street = "Bd. Unirii nr. 10"
    postal_code = "030823"
    city = "Bucuresti"
    country = "RO"
    phone = "+40721000001"
    is_default = True
