"""The Editors group: what someone who prepares and publishes reports may do.

Editors add and change reports (withdrawing rather than deleting them),
decide on the tags suggested for them, and keep the vocabularies and their
aliases; they cannot see or manage users, groups or
permissions. A data migration creates the group on every new database.
"""

EDITORS = "Editors"
EDITOR_PERMISSIONS = {
    "report": ["add", "change", "view"],
    "region": ["add", "change", "delete", "view"],
    "agency": ["add", "change", "delete", "view"],
    "topic": ["add", "change", "delete", "view"],
    "source": ["add", "change", "delete", "view"],
    "regionalias": ["add", "change", "delete", "view"],
    "agencyalias": ["add", "change", "delete", "view"],
    "topicalias": ["add", "change", "delete", "view"],
    "tagsuggestion": ["change", "view"],
    "correction": ["add", "change", "delete", "view"],
}


def ensure_editors_group(group_model, permission_model):
    """Create or update the group; takes models so migrations can pass historical ones."""
    group, _ = group_model.objects.get_or_create(name=EDITORS)
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.set(
        permission_model.objects.filter(content_type__app_label="archive", codename__in=codenames)
    )
    return group
