"""Compare each dated name's years (an alias's "in use from/until") with the published
reports that use it, and with --apply widen them to the evidence."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from archive.facets import ALIASED
from archive.models import Report


class Command(BaseCommand):
    help = (
        'For every name with years of use ("as named at the time" searches it only in '
        "them), the first and last published report using it. A name used outside its "
        "years is listed; --apply widens its years to the reports and says so in its note, "
        "where editors see where the years came from."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true")
        parser.add_argument(
            "--name", action="append", default=[], help="Only this name (repeat for more)."
        )

    def current_names(self, facet, published, apply: bool) -> int:
        """A renamed term's current name counts from the year its last former name went
        out of use; a report using it earlier moves that year (an alias of the same words
        with its own years and note)."""
        model, field = facet.alias_model, facet.alias_model.term_field
        renamed = model.objects.filter(used_until__isnull=False).values_list(field, flat=True)
        found = 0
        for term in facet.model.objects.filter(pk__in=renamed).order_by("pk"):
            if self.only and term.name.casefold() not in self.only:
                continue
            own = model.objects.filter(**{field: term}, name=term.name).first()
            ends = model.objects.filter(**{field: term}, used_until__isnull=False)
            since = own.used_from if own and own.used_from else max(a.used_until for a in ends)
            first = _using(published, term.name).order_by("pub_year", "pk").first()
            seen = f"from {first.pub_year} ({first.slug})" if first else "by no published report"
            early = first is not None and first.pub_year < since
            self.stdout.write(f"{'!' if early else ' '} {term.name} (from {since}): used {seen}")
            if not early:
                continue
            found += 1
            if apply:
                note = (
                    f"The current name, counted from {first.pub_year} (not {since}): the first "
                    f"published report using it is {first.slug}."
                )
                alias = own or model(**{field: term}, name=term.name, kind=model.Kind.OTHER)
                alias.used_from, alias.note = first.pub_year, note[:300]
                alias.save()
        return found

    def handle(self, *args, apply, name, **options):
        self.only = {n.casefold() for n in name}
        published = Report.objects.published().exclude(pub_year=None)
        outside = 0
        for facet in ALIASED:
            dated = facet.alias_model.objects.filter(
                Q(used_from__isnull=False) | Q(used_until__isnull=False)
            ).order_by("pk")
            for alias in dated:
                if self.only and alias.name.casefold() not in self.only:
                    continue
                using = _using(published, alias.name).order_by("pub_year", "pk")
                first, last = using.first(), using.order_by("-pub_year", "-pk").first()
                years = f"{alias.used_from or '…'}–{alias.used_until or '…'}"
                if first is None:
                    self.stdout.write(f"  {alias.name} ({years}): no published report uses it")
                    continue
                early = alias.used_from and first.pub_year < alias.used_from
                late = alias.used_until and last.pub_year > alias.used_until
                seen = f"{first.pub_year}–{last.pub_year}"
                mark = "!" if early or late else " "
                self.stdout.write(
                    f"{mark} {alias.name} ({years}): used in {using.count():,} report(s), "
                    f"{seen} (first {first.slug}, last {last.slug})"
                )
                if not (early or late):
                    continue
                outside += 1
                if apply:
                    note = (
                        f"Years {years} widened to {seen}, the published reports using it "
                        f"(first {first.slug}, last {last.slug})."
                    )
                    if early:
                        alias.used_from = first.pub_year
                    if late:
                        alias.used_until = last.pub_year
                    alias.note = (f"{alias.note} {note}" if alias.note else note)[:300]
                    alias.save()
            outside += self.current_names(facet, published, apply)
        verb = "widened" if apply else "used outside their years (--apply widens them)"
        self.stdout.write(f"{outside} name(s) {verb}.")


def _using(reports, name: str):
    """The reports whose headline or text holds the name (in any case)."""
    return reports.filter(Q(headline__icontains=name) | Q(body__icontains=name))
