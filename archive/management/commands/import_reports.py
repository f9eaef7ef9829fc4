import collections
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.editing.importers.store import import_file
from archive.models import Report


class Command(BaseCommand):
    help = (
        "Import raw reports: scraped text (.txt, one report a file) or JSON Lines "
        "(.jsonl, one report a line). Each file is imported whole or not at all; "
        "what is already in the archive is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, write nothing."
        )
        parser.add_argument(
            "--status",
            default=Report.Status.DRAFT,
            choices=[Report.Status.DRAFT, Report.Status.IN_REVIEW, Report.Status.PUBLISHED],
            help="Status of complete reports (default: draft). Incomplete ones go to review.",
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="Add topic names the archive does not have as new topics (by default they "
            "are kept as the source's own sections).",
        )
        parser.add_argument(
            "--follow-symlinks",
            action="store_true",
            help="Read paths that are symbolic links (to regular files); refused by default.",
        )
        parser.add_argument(
            "--keep-duplicates",
            action="store_true",
            help="Import a record even when it is the same story as a report already there "
            "(the same source address and texts 40%% alike, or the same headline and date "
            "and texts 90%% alike); by default it is skipped and named.",
        )

    def handle(self, *paths, **options):
        failed = 0
        totals = {
            "created": 0,
            "skipped": 0,
            "duplicates": 0,
            "in_review": 0,
            "suggested": 0,
            "tagged_automatically": 0,
        }
        reasons, sections = collections.Counter(), collections.Counter()
        for path in dict.fromkeys(options["paths"]):  # a file named twice is read once
            result = import_file(
                path,
                status=options["status"],
                dry_run=options["dry_run"],
                progress=self.progress_bar(path) if options["verbosity"] else None,
                follow_symlinks=options["follow_symlinks"],
                create_topics=options["create_topics"],
                keep_duplicates=options["keep_duplicates"],
            )
            for notice in result.notices:
                self.stderr.write(self.style.WARNING(notice))
            if result.failed:
                failed += 1
                for problem in result.problems:
                    self.stderr.write(self.style.ERROR(str(problem)))
                summary = f"{path}: {len(result.problems)} problem(s); nothing imported from it."
                self.stderr.write(self.style.ERROR(summary))
                continue
            for key in totals:
                totals[key] += getattr(result, key)
            reasons.update(result.review_reasons)
            sections.update(result.sections_kept)
            self.stdout.write(
                f"{path}: {result.created} new, {result.skipped} already in the archive"
                + (f", {result.duplicates} the same story as another" if result.duplicates else "")
                + (f", {result.in_review} sent to review" if result.in_review else "")
            )
        if reasons:
            self.stdout.write(
                "Sent to review, by what the raw text lacked: "
                + ", ".join(f"{name} {count:,}" for name, count in reasons.most_common())
                + "."
            )
        if sections:
            self.stdout.write(
                "Topic names the archive does not have, kept as the source's sections: "
                + ", ".join(f"“{name}” {count:,}" for name, count in sections.most_common(10))
                + (f" and {len(sections) - 10} more" if len(sections) > 10 else "")
                + ". Add them with --create-topics, or as topics' other names."
            )
        verb = "would be imported" if options["dry_run"] else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{totals['created']} report(s) {verb}, {totals['skipped']} skipped as already "
                f"present, {totals['in_review']} in review; {failed} file(s) failed."
                + (
                    f" {totals['duplicates']:,} skipped as the same story as another report "
                    "(named above; --keep-duplicates imports them)."
                    if totals["duplicates"]
                    else ""
                )
                + (
                    f" {totals['tagged_automatically']:,} tag(s) applied automatically."
                    if totals["tagged_automatically"]
                    else ""
                )
                + (
                    f" {totals['suggested']:,} tag(s) suggested from the texts await review."
                    if totals["suggested"]
                    else ""
                )
            )
        )
        if failed:
            raise CommandError(f"{failed} file(s) had problems and were not imported.")

    def progress_bar(self, path: Path):
        """A progress callback: a bar on a terminal, a line every 10% otherwise."""
        interactive = self.stderr.isatty()
        last = {"shown": -1}

        def show(done: int, total: int) -> None:
            if total < 50:
                return
            percent = done * 100 // total
            if percent == last["shown"] or (not interactive and percent % 10 and done != total):
                return
            last["shown"] = percent
            bar = "#" * (percent // 4)
            line = f"{path.name}: [{bar:<25}] {percent:3d}% {done}/{total}"
            if interactive:
                self.stderr.write("\r" + line, ending="\n" if done == total else "")
            else:
                self.stderr.write(line)

        return show
