"""Let the Editors group manage aliases and decide on suggested tags (see archive/roles.py)."""

import importlib

from django.db import migrations

# The same step as when the group was created: permissions first, then the group.
create_editors = importlib.import_module("archive.migrations.0002_editors_group").create_editors


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_aliases_and_tag_suggestions")]

    operations = [migrations.RunPython(create_editors, migrations.RunPython.noop)]
