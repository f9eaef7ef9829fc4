"""The Editors group: what someone who prepares and publishes reports may do.

Editors add and change reports and incidents (withdrawing rather than deleting
them), decide on the tags and incidents proposed for them, and keep every vocabulary of
``archive.facets`` and its aliases; they cannot see or manage users, groups
or permissions. The group is brought up to date after every ``migrate``
(see ``archive.signals``), so a new vocabulary's permissions join it.
"""

from ..facets import TERMS

EDITORS = "Editors"
ALL = ["add", "change", "delete", "view"]


def editor_permissions() -> dict[str, list[str]]:
    """Model name -> the actions editors may take on it."""
    permissions = {
        "report": ["add", "change", "view"],
        "tagsuggestion": ["change", "view"],
        "correction": ALL,
        "position": ALL,  # a person's posts, edited on the person
        "incident": ["add", "change", "view"],  # withdrawn, not deleted, as reports are
        "incidentreport": ALL,  # a report's link to an incident
        "incidentproposal": ["change", "view"],  # confirmed or rejected
    }
    for facet in TERMS:
        permissions[facet.model._meta.model_name] = ALL
        if facet.alias_model is not None:
            permissions[facet.alias_model._meta.model_name] = ALL
    return permissions


def ensure_editors_group(groups, permissions):
    """Create or update the group (``groups`` and ``permissions`` are managers)."""
    group, _ = groups.get_or_create(name=EDITORS)
    codenames = [
        f"{action}_{model}" for model, actions in editor_permissions().items() for action in actions
    ]
    group.permissions.set(
        permissions.filter(content_type__app_label="archive", codename__in=codenames)
    )
    return group
