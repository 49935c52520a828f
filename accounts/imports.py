"""CSV cells and imports of the accounts app: VAT ids, and the distributor's customer master."""

import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, EmailValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import bulk
from core.csvimport import CellError, Column, CsvImport, ImportReport, split_list, text_cell

from .models import Company, Customer
from .vat import is_valid_vat, split_vat_id


@functools.lru_cache(maxsize=65536)
def _vat_id(value):
    value = value.replace(" ", "").replace(".", "").replace("-", "").upper()
    prefix, number = value[:2], value[2:]
    return value, prefix.isalpha() and is_valid_vat(prefix, number)


def vat_id_cell(text):
    """A full VAT id with its country prefix (RO18547290), as sales and customers store it.

    A file repeats the same few hundred buyers: each distinct value is checked once.
    """
    value, valid = _vat_id(text)
    if not valid:
        raise CellError(
            _("“%(value)s” is not a valid VAT id with its country prefix (for example RO18547290).") % {"value": text}
        )
    return value


def customer_vat_id_cell(text):
    """A customer's VAT id as companies store it: the prefix (EL for Greece) and the number, no spaces."""
    prefix, number = split_vat_id(text)
    if not is_valid_vat(prefix, number):
        raise CellError(
            _("“%(value)s” is not a valid VAT id with its country prefix (for example RO18547290).") % {"value": text}
        )
    return prefix + number


_validate_email = EmailValidator()
_validate_domain = DomainNameValidator(accept_idna=False)


def emails_cell(text):
    """Several e-mail addresses, one a line in lower case, as the customer master stores them."""
    emails = []
    for email in split_list(text.lower()):
        try:
            _validate_email(email)
        except ValidationError as error:
            raise CellError(_("“%(value)s” is not a valid e-mail address.") % {"value": email}) from error
        if email not in emails:
            emails.append(email)
    return "\n".join(emails)


def domains_cell(text):
    """Several e-mail domains, one a line in lower case and without @."""
    domains = []
    for domain in split_list(text.lower()):
        domain = domain.lstrip("@")
        try:
            _validate_domain(domain)
        except ValidationError as error:
            raise CellError(
                _("“%(value)s” is not a domain name: write it without @, for example firma.ro.") % {"value": domain}
            ) from error
        if domain not in domains:
            domains.append(domain)
    return "\n".join(domains)


CUSTOMER_FIELDS = ("legal_name", "registered_address", "authorised_emails", "authorised_domains")


@dataclass
class CustomersReport(ImportReport):
    companies_updated: int = 0


class CustomersImport(CsvImport):
    """The distributor's customer master, upserted by VAT id; the companies of those VAT ids follow its name and address."""

    kind = "customers"
    label = gettext_lazy("customers")
    key_column = "vat_id"
    streaming = True
    columns = [
        Column(
            "vat_id",
            gettext_lazy("VAT id"),
            "cod_fiscal",
            parse=customer_vat_id_cell,
            missing=gettext_lazy("The VAT id is missing."),
            words=("vat", "cui", "cif", "fiscal"),
            example="RO18547290",
        ),
        Column(
            "legal_name",
            gettext_lazy("Legal name"),
            "denumire",
            parse=text_cell(200),
            missing=gettext_lazy("The legal name is missing."),
            example="Electro Demo SRL",
        ),
        Column(
            "registered_address",
            gettext_lazy("Registered address"),
            "sediu_social",
            required=False,
            parse=text_cell(1000),
            example="Bd. Unirii nr. 10, București",
        ),
        Column(
            "authorised_emails",
            gettext_lazy("Authorised e-mail addresses"),
            "adrese_email_autorizate",
            required=False,
            parse=emails_cell,
            example="office@electrodemo.ro; service@electrodemo.ro",
        ),
        Column(
            "authorised_domains",
            gettext_lazy("Authorised e-mail domains"),
            "domenii_email_autorizate",
            required=False,
            parse=domains_cell,
            example="electrodemo.ro",
        ),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = {}

    def new_report(self):
        return CustomersReport(kind=self.kind)

    def clean(self, row):
        values = row.values
        if "vat_id" in values:
            first = self.seen.setdefault(values["vat_id"], row.number)
            if first != row.number:
                row.error("vat_id", _("Row %(row)d already has this VAT id.") % {"row": first})
        if not row.ok:
            return None
        return (values["vat_id"], *(values[name] for name in CUSTOMER_FIELDS))

    def write(self, cleaned, report):
        vat_ids = [row[0] for row in cleaned]
        bulk.upsert(
            Customer, cleaned, report, key=("vat_id",), values=CUSTOMER_FIELDS, stamp={"updated_at": timezone.now()}
        )
        # A company that already exists for a VAT id takes its legal name and address from the master.
        names = {row[0]: (row[1], row[2]) for row in cleaned}
        companies = []
        for company in Company.objects.filter(vat_id__in=vat_ids).order_by().only("vat_id", *COMPANY_FIELDS):
            name, address = names[company.vat_id]
            if (company.legal_name, company.registered_address) != (name, address):
                company.legal_name, company.registered_address = name, address
                companies.append(company)
        Company.objects.bulk_update(companies, COMPANY_FIELDS)
        report.companies_updated += len(companies)


COMPANY_FIELDS = ["legal_name", "registered_address"]


def customers_import(source, *, dry_run=False):
    """Check every row of a customer master file; if all are right, upsert them all in one transaction."""
    return CustomersImport().run(source, dry_run=dry_run)
