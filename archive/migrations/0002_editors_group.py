"""Create the Editors group (see archive/roles.py for what it may do)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from archive.roles import EDITORS, ensure_editors_group


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now so the group can be given them on a fresh database.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    ensure_editors_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
