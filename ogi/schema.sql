-- The public tables. Their names and columns are the interface journalists write SQL against.
-- Keys (row_key, col_key) are the vocabulary of items.csv; labels are there for people.
-- The tables for people (report_summary, requests_wide, appeals_wide, active_wide), the
-- provenance view, data_dictionary and the search index are derived from these by ogi/views.py.
--
-- Ids are derived from content, never from build order (ogi/load.py: source_key, fact_key …):
-- a source or report is the first 16 hex digits of its file's SHA-256, a fact is
-- "<report>-<part>-<row>-<column>". The same number has the same id, and URL, in every build.

CREATE TABLE sources (
    id TEXT PRIMARY KEY,           -- sha256[:16]; a second copy of the same bytes adds "-" and a hash of its path; path-<hash of path> when never read
    path TEXT NOT NULL,            -- as given to `ogi build`, relative to the input folder (bytes that are not UTF-8 as \xNN)
    file_name TEXT NOT NULL,
    sha256 TEXT,                   -- NULL when the file was not read (skipped, or could not be opened)
    format TEXT,                   -- txt, md, pdf, docx, html … (from the file name)
    bytes INTEGER,                 -- NULL when the file was not read
    status TEXT NOT NULL,          -- parsed, alternate (same report as another file: report_files), error, unsupported, duplicate, skipped, manifest
    error TEXT,                    -- why a file was not parsed or not read, one sentence
    note TEXT,                     -- what else to know: a link followed, a name that is not UTF-8, the primary file of the same report
    parser_version TEXT NOT NULL,
    read_at TEXT NOT NULL,         -- UTC, ISO 8601
    url TEXT,                      -- the file as published by the site: /originals/<sha256>.<ext>
    published_url TEXT,            -- where the agency published it (the page's canonical address, or sources.csv)
    published_on TEXT,             -- when, YYYY-MM-DD (发布时间 on the page, or sources.csv)
    published_from TEXT,           -- page or manifest: who said so
    problem TEXT,                  -- what went wrong, a kind to facet on: empty_file, encrypted_pdf, not_a_report … (ogi/messages.py)
    problem_zh TEXT,               -- what it is and what to do, in Chinese
    problem_en TEXT                -- and in English; the technical detail stays in error
);

CREATE TABLE reports (
    id TEXT PRIMARY KEY,           -- its file's sha256[:16]
    source_id TEXT NOT NULL REFERENCES sources(id),
    agency TEXT NOT NULL,          -- as the title prints it, spaces removed, in Simplified characters
    agency_printed TEXT,           -- exactly as the title prints it (Traditional characters kept)
    year INTEGER NOT NULL,
    format TEXT NOT NULL,          -- 2019 or 2021 (国办公开办函〔2019〕60号 / 〔2021〕30号)
    mixed_format INTEGER NOT NULL, -- 1 when the tables follow different formats
    active_format TEXT,
    requests_format TEXT,
    province TEXT,
    city TEXT,
    county TEXT,
    adcode TEXT,
    longitude REAL,                -- of the division adcode names (cpca's table)
    latitude REAL,
    region_level TEXT,             -- the agency's level: province, city, county, township, zone
    region_status TEXT,            -- settled, ambiguous, not_found
    region_why TEXT,               -- the evidence that settled the region, or why it could not be
    title TEXT NOT NULL,
    identity_status TEXT NOT NULL, -- ok, fails, unchecked
    checks_failed INTEGER NOT NULL,
    facts INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    label TEXT,                    -- "agency year", how the site names the report (views.build)
    agency_id TEXT                 -- the agency, one across its years and names (views.build, ogi/agencies.py)
);

CREATE TABLE items (
    id TEXT PRIMARY KEY,           -- "<table>.<key>", e.g. requests.granted
    table_name TEXT NOT NULL,      -- active, active_metric, requests, applicant, appeals, appeal_outcome
    key TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    formats TEXT NOT NULL,
    notes TEXT,
    position INTEGER NOT NULL,     -- order within its table, as the template prints it
    group_key TEXT NOT NULL,       -- withheld for withheld.state_secret; the key itself otherwise
    group_label TEXT NOT NULL      -- （三）不予公开; for active items the article (第二十条第（一）项)
);

CREATE TABLE facts (
    id TEXT PRIMARY KEY,           -- <report>-<part>-<row>-<column>, e.g. 9f2c…-requests-granted-total
    report_id TEXT NOT NULL REFERENCES reports(id),
    part TEXT NOT NULL,            -- active, requests, appeals
    row_key TEXT,                  -- NULL for a printed row that is not in the template
    col_key TEXT NOT NULL,
    row_label TEXT NOT NULL,       -- the template's Chinese label (the printed one for extra rows)
    col_label TEXT NOT NULL,
    value NUMERIC,                 -- NULL when printed "/" or "—" (not applicable); the corrected value if corrected
    raw TEXT,                      -- the cell as printed; '' for a blank cell; NULL when inferred
    printed_label TEXT,            -- the row label as printed
    page INTEGER,
    line INTEGER,
    char INTEGER,
    table_no INTEGER,
    row_no INTEGER,
    col_no INTEGER,
    bbox TEXT,                     -- PDF points "x0,top,x1,bottom"
    inferred INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    corrected INTEGER NOT NULL DEFAULT 0, -- 1: a maintainer corrected the parser's reading (see corrections)
    parsed_value NUMERIC,          -- the parser's reading of a corrected fact
    correction TEXT,               -- why it was corrected (corrections.reason)
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE checks (
    id TEXT PRIMARY KEY,           -- <report>-<identity>-<key>; cross-year checks are added by views.build
    report_id TEXT NOT NULL REFERENCES reports(id),
    identity TEXT NOT NULL,        -- requests_balance, requests_results_sum, requests_row_total, appeals_total;
                                   -- narrative_* (a figure stated in words against the table); cross_year_*
    key TEXT NOT NULL,             -- the column (balance, results_sum), row (row_total) or group (appeals)
    lhs NUMERIC NOT NULL,          -- after corrections
    rhs NUMERIC NOT NULL,
    diff NUMERIC NOT NULL,         -- lhs - rhs
    ok INTEGER NOT NULL,
    previous_report_id TEXT        -- cross-year checks: the agency's report of the year before
);

CREATE TABLE narrative (
    id TEXT PRIMARY KEY,           -- <report>-<key>-<n>, n counting the report's figures in order
    report_id TEXT NOT NULL REFERENCES reports(id),
    key TEXT NOT NULL,             -- active_total, active_website, active_part, requests_received, requests_carried_over,
                                   -- requests_answered, requests_carried_forward, reviews, lawsuits
    label TEXT,                    -- active_part: the item as printed
    value NUMERIC NOT NULL,
    unit TEXT,                     -- as printed (条, 件 …); '' for a figure stated as none
    raw TEXT NOT NULL,             -- the words matched, as printed
    sentence TEXT NOT NULL,
    part TEXT NOT NULL,            -- overview, problems, other
    page INTEGER,
    line INTEGER,
    source_id TEXT NOT NULL REFERENCES sources(id)
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,        -- derived from <report>-<part> (load.section_key): full-text indexes need a number
    report_id TEXT NOT NULL REFERENCES reports(id),
    part TEXT NOT NULL,            -- overview, active, requests, appeals, problems, other
    part_zh TEXT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    line INTEGER,
    page INTEGER
);

CREATE TABLE warnings (
    id TEXT PRIMARY KEY,           -- <source>-<n>, n counting the file's warnings in order
    source_id TEXT NOT NULL REFERENCES sources(id),
    report_id TEXT REFERENCES reports(id),
    message TEXT NOT NULL,
    page INTEGER,
    line INTEGER
);

-- One row per line of corrections.csv and what became of it (ogi/corrections.py).
CREATE TABLE corrections (
    line INTEGER PRIMARY KEY,      -- line of corrections.csv (the header is line 1)
    sha256 TEXT,
    part TEXT,
    row_key TEXT,
    col_key TEXT,
    value TEXT,                    -- as the line gives it
    reason TEXT,
    checked_by TEXT,
    checked_on TEXT,
    status TEXT NOT NULL,          -- applied, unchanged, file_not_in_build, file_not_parsed, cell_not_found, invalid
    message TEXT NOT NULL,
    parsed_value NUMERIC,          -- what the parser reads
    report_id TEXT REFERENCES reports(id),
    fact_id TEXT REFERENCES facts(id)
);

-- Every build of this database, newest last, carried over from the database each replaced.
CREATE TABLE builds (
    id TEXT PRIMARY KEY,           -- the dataset version: UTC time of the build, 2026-11-30T17:05:09Z
    parser_version TEXT NOT NULL,
    inputs INTEGER NOT NULL,       -- input files
    reports INTEGER NOT NULL,
    facts INTEGER NOT NULL,
    corrections_applied INTEGER NOT NULL,
    previous TEXT,                 -- the build this one replaced, if any
    reports_added INTEGER,         -- against the previous build (NULL: nothing to compare with)
    reports_removed INTEGER,
    values_changed INTEGER,
    summary TEXT NOT NULL
);

-- What each build changed against the one before.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    build_id TEXT NOT NULL REFERENCES builds(id),
    kind TEXT NOT NULL,            -- report_added, report_removed, value_changed, value_added, value_removed, correction_applied
    report_id TEXT,                -- no foreign key: a removed report is no longer here
    report_label TEXT,
    fact_id TEXT,
    cell TEXT,                     -- part · row · column
    old_value NUMERIC,
    new_value NUMERIC,
    detail TEXT
);

CREATE INDEX reports_agency ON reports(agency);
CREATE INDEX reports_year ON reports(year);
CREATE INDEX reports_province_city ON reports(province, city);
CREATE INDEX facts_report ON facts(report_id);
CREATE INDEX facts_keys ON facts(part, row_key, col_key);
CREATE INDEX checks_report ON checks(report_id);
CREATE INDEX narrative_report ON narrative(report_id);
CREATE INDEX checks_failing ON checks(ok, identity);
CREATE INDEX sections_report ON sections(report_id);
CREATE INDEX warnings_source ON warnings(source_id);
CREATE INDEX sources_status ON sources(status);
CREATE INDEX sources_sha256 ON sources(sha256);
CREATE INDEX changes_build ON changes(build_id, kind);
