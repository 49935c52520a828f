from core.csvcommand import ImportCommand
from warranty.imports import SerialsImport


class Command(ImportCommand):
    import_class = SerialsImport
