"""The Editors group: what someone who prepares and publishes reports may do.

Editors add and change reports (withdrawing rather than deleting them) and
keep the vocabularies; they cannot see or manage users, groups or
permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
PERMISSIONS = {
    "report": ["add", "change", "view"],
    "region": ["add", "change", "delete", "view"],
    "agency": ["add", "change", "delete", "view"],
    "topic": ["add", "change", "delete", "view"],
    "source": ["add", "change", "delete", "view"],
}


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now so the group can be given them on a fresh database.
    app_config = apps.get_app_config("archive")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="archive", codename__in=codenames)
    )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
