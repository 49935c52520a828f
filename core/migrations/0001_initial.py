# The outgoing e-mail outbox moves from accounts to core. Its table existed
# already as accounts_outgoingemail: take over the state, then rename it.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("accounts", "0002_site_name")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=300)),
                        ("body_text", models.TextField()),
                        ("body_html", models.TextField(blank=True)),
                        ("reply_to", models.EmailField(blank=True, max_length=254)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={
                        "verbose_name": "outgoing e-mail",
                        "verbose_name_plural": "outgoing e-mails",
                        "indexes": [models.Index(fields=["sent_at", "created_at"], name="email_sent_idx")],
                        "db_table": "accounts_outgoingemail",
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="outgoingemail", table=None),
    ]
