from ._importing import ImportCommand


class Command(ImportCommand):
    kind = "products"
