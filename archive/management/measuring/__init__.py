"""What ``make bench`` and ``make soak`` measure with: the helpers their commands share
(``queries``: what they search for; ``corpus``: reports made up to a size; ``serving``:
requests to the gunicorn they start; ``figures``: percentiles, memory, the machine;
``edits``: the soak's editing process; ``browsing``: readers beside slow work). Only the
management commands import it."""
