"""Chinese open-government-information annual reports, parsed into a SQLite database.

Pipeline, one module per stage: read (file -> Document) · locate (-> Parts) ·
mapping (-> keyed Values) · check (-> identity Checks) · load (-> SQLite) · publish (Datasette).
``parse.parse_file`` runs the first four; ``load.build`` writes a database from many files.
"""

__version__ = "0.1.0"
