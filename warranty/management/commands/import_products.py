from core.csvcommand import ImportCommand
from warranty.imports import ProductsImport


class Command(ImportCommand):
    import_class = ProductsImport
