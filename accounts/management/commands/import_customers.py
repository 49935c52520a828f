from accounts.imports import CustomersImport
from core.csvcommand import ImportCommand


class Command(ImportCommand):
    import_class = CustomersImport

    def summary(self, report):
        return f"{super().summary(report)}; {report.companies_updated} companies updated"
