#!/usr/bin/env python3
"""Build fixtures/vocabularies.json from the shared gazetteer and our curation.

The archive does not read the gazetteer at run time: this script is run by a
developer when the curated lists below change, and its output is committed.

    python tools/build_vocabularies.py --data ../shared/data

Places: the provinces and special cities of North Korea and every place the
seed reports name, with coordinates and a reference from the gazetteer
(GeoNames, CC BY 4.0; open-admin-data, CC BY 4.0; ISO 3166-2 via pycountry).
Names are the English forms the reports use; the gazetteer's many other
spellings are left for the aliases of a later change.
"""

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# slug: (name, kind, parent slug, gazetteer id for coordinates and reference)
PLACES = {
    "north-korea": ("North Korea", "country", None, None),
    "south-korea": ("South Korea", "country", None, None),
    "china": ("China", "country", None, None),
    "russia": ("Russia", "country", None, None),
    "malaysia": ("Malaysia", "country", None, None),
    # The nine provinces and the directly governed and special cities.
    "pyongyang": ("Pyongyang", "special-city", "north-korea", "geonames:1871859"),
    "rason": ("Rason", "special-city", "north-korea", "geonames:2054927"),
    "nampo": ("Nampo", "special-city", "north-korea", "oad:KP11"),
    "kaesong": ("Kaesong", "special-city", "north-korea", "iso:KP-15"),
    "south-pyongan": ("South Pyongan", "province", "north-korea", "oad:KP07"),
    "north-pyongan": ("North Pyongan", "province", "north-korea", "oad:KP06"),
    "chagang": ("Chagang", "province", "north-korea", "oad:KP05"),
    "south-hwanghae": ("South Hwanghae", "province", "north-korea", "oad:KP09"),
    "north-hwanghae": ("North Hwanghae", "province", "north-korea", "oad:KP08"),
    "kangwon": ("Kangwon", "province", "north-korea", "oad:KP04"),
    "south-hamgyong": ("South Hamgyong", "province", "north-korea", "oad:KP03"),
    "north-hamgyong": ("North Hamgyong", "province", "north-korea", "oad:KP02"),
    "ryanggang": ("Ryanggang", "province", "north-korea", "oad:KP01"),
    # Places named in the seed reports.
    "hyesan": ("Hyesan", "city", "ryanggang", "geonames:2043837"),
    "pochon-county": ("Pochon County", "county", "ryanggang", "oad:KP0106"),
    "kim-jong-suk-county": ("Kim Jong Suk County", "county", "ryanggang", "oad:KP0103"),
    "samsu-county": ("Samsu County", "county", "ryanggang", "oad:KP0102"),
    "hoeryong": ("Hoeryong", "city", "north-hamgyong", "geonames:2044091"),
    "chongjin": ("Chongjin", "city", "north-hamgyong", "geonames:2044757"),
    "kimchaek": ("Kimchaek", "city", "north-hamgyong", "oad:KP0202"),
    "rajin": ("Rajin", "district", "rason", "geonames:2042645"),
    "uiju-county": ("Uiju County", "county", "north-pyongan", "oad:KP0620"),
}

PLACE_DESCRIPTIONS = {
    "ryanggang": "Province on the Chinese border, across the Yalu from Changbai; "
    "also spelled Yanggang. Its capital is Hyesan.",
    "north-hamgyong": "North-eastern province on the Chinese and Russian borders; "
    "also spelled North Hamkyung or Hamgyong-bukto. Its capital is Chongjin.",
    "north-pyongan": "North-western province on the Chinese border, opposite Dandong.",
    "rason": "Special economic city in the far north-east, formed from Rajin and Sonbong.",
}

AGENCIES = [
    {
        "slug": "ministry-of-state-security",
        "name": "Ministry of State Security",
        "abbreviation": "MSS",
        "description": "North Korea's secret police, charged with political crimes and "
        "counter-intelligence. Also called the State Security Department (the name on "
        "the US Treasury's sanctions list) and, in Korean, Bowibu.",
    },
    {
        "slug": "ministry-of-social-security",
        "name": "Ministry of Social Security",
        "abbreviation": "",
        "description": "The national police. Called the Ministry of People's Security "
        "until its renaming in 2020; its officers appear in reports as safety agents.",
    },
    {
        "slug": "korean-peoples-army",
        "name": "Korean People's Army",
        "abbreviation": "KPA",
        "description": "North Korea's armed forces.",
    },
    {
        "slug": "defense-security-command",
        "name": "Defense Security Command",
        "abbreviation": "",
        "parent": "korean-peoples-army",
        "description": "The army's military security and counter-intelligence organ, named "
        "Military Security Command on the US Treasury's sanctions list.",
    },
    {
        "slug": "no-8-inspection-unit",
        "name": "No. 8 Inspection Unit",
        "abbreviation": "",
        "description": "An inspection unit that the authorities in Pyongyang sent to the "
        "border, as Daily NK reported; little else is known of it.",
    },
]

TOPICS = {
    "border-control": "Border control",
    "corruption": "Corruption and bribery",
    "defections": "Defections",
    "overseas-workers": "Overseas workers and diplomats",
    "surveillance": "Surveillance",
    "mobile-phones": "Mobile phones and outside contact",
    "smuggling": "Smuggling",
    "personnel": "Personnel and vetting",
    "public-discontent": "Public discontent",
}

SOURCES = [
    {"slug": "daily-nk", "name": "Daily NK", "homepage": "https://www.dailynk.com/english/"},
]


def place_fields(slug, spec, gazetteer):
    name, kind, parent, ref = spec
    entry = gazetteer.get(ref, {})
    return {
        "name": name,
        "slug": slug,
        "kind": kind,
        "parent": [parent] if parent else None,
        "description": PLACE_DESCRIPTIONS.get(slug, ""),
        "latitude": f"{entry['lat']:.5f}" if entry.get("lat") is not None else None,
        "longitude": f"{entry['lon']:.5f}" if entry.get("lon") is not None else None,
        "source_ref": ref or "",
    }


def build(data_dir: Path) -> list[dict]:
    gazetteer = {
        entry["id"]: entry
        for entry in json.loads((data_dir / "kp_gazetteer.json").read_text(encoding="utf-8"))
    }
    missing = [ref for *_, ref in PLACES.values() if ref and ref not in gazetteer]
    if missing:
        raise SystemExit(f"not in the gazetteer: {missing}")
    objects = [
        {"model": "archive.region", "fields": place_fields(slug, spec, gazetteer)}
        for slug, spec in PLACES.items()
    ]
    for agency in AGENCIES:
        parent = agency.get("parent")
        fields = {**agency, "parent": [parent] if parent else None}
        objects.append({"model": "archive.agency", "fields": fields})
    for slug, name in TOPICS.items():
        fields = {"slug": slug, "name": name, "description": ""}
        objects.append({"model": "archive.topic", "fields": fields})
    for source in SOURCES:
        objects.append({"model": "archive.source", "fields": {**source, "description": ""}})
    return objects


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures" / "vocabularies.json")
    args = parser.parse_args()
    objects = build(args.data)
    args.out.write_text(json.dumps(objects, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(objects)} terms to {args.out}")


if __name__ == "__main__":
    main()
