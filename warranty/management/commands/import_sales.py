from core.csvcommand import ImportCommand
from warranty.imports import SalesImport


class Command(ImportCommand):
    import_class = SalesImport
