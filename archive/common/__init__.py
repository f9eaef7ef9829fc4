"""Small helpers every wing may use, which import no other part of the archive
(Django's own helpers and settings only).

- ``dates``: ``PartialDate`` (a year, a month or a day, never invented) and
  its precision;
- ``text``: paragraphs, cleaning pasted and scraped text, what XML can carry;
- ``trees``: parent chains of places and bodies;
- ``paths``: addresses of pages, reversed once a name;
- ``distance``: edit distance, and the deletions near misspellings are found by;
- ``clients``: the address a request came from, behind trusted proxies;
- ``hangul``: finding Korean script, and North Korean spelling written the South's
  way (pure Python: the fixture builders use it too).
"""
