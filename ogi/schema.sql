-- The public tables. Their names and columns are the interface journalists write SQL against.
-- Keys (row_key, col_key) are the vocabulary of items.csv; labels are there for people.
-- The tables for people (report_summary, requests_wide, appeals_wide, active_wide), the
-- provenance view, data_dictionary and the search index are derived from these by ogi/views.py.

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,            -- as given to `ogi build`, relative to the input folder
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,                   -- txt, md, pdf, docx, html … (from the file name)
    bytes INTEGER NOT NULL,
    status TEXT NOT NULL,          -- parsed, error, unsupported, duplicate
    error TEXT,                    -- why a file was not parsed, one sentence
    parser_version TEXT NOT NULL,
    read_at TEXT NOT NULL,         -- UTC, ISO 8601
    url TEXT                       -- the file as published by the site: /originals/<sha256>.<ext>
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    agency TEXT NOT NULL,          -- as the title prints it, spaces removed
    year INTEGER NOT NULL,
    format TEXT NOT NULL,          -- 2019 or 2021 (国办公开办函〔2019〕60号 / 〔2021〕30号)
    mixed_format INTEGER NOT NULL, -- 1 when the tables follow different formats
    active_format TEXT,
    requests_format TEXT,
    province TEXT,
    city TEXT,
    county TEXT,
    adcode TEXT,
    title TEXT NOT NULL,
    identity_status TEXT NOT NULL, -- ok, fails, unchecked
    checks_failed INTEGER NOT NULL,
    facts INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    label TEXT                     -- "agency year", how the site names the report (views.build)
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
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    part TEXT NOT NULL,            -- active, requests, appeals
    row_key TEXT,                  -- NULL for a printed row that is not in the template
    col_key TEXT NOT NULL,
    row_label TEXT NOT NULL,       -- the template's Chinese label (the printed one for extra rows)
    col_label TEXT NOT NULL,
    value NUMERIC,                 -- NULL when printed "/" or "—" (not applicable)
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
    source_id INTEGER NOT NULL REFERENCES sources(id)
);

CREATE TABLE checks (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    identity TEXT NOT NULL,        -- requests_balance, requests_results_sum, requests_row_total, appeals_total
    key TEXT NOT NULL,             -- the column (balance, results_sum), row (row_total) or group (appeals)
    lhs NUMERIC NOT NULL,
    rhs NUMERIC NOT NULL,
    diff NUMERIC NOT NULL,         -- lhs - rhs
    ok INTEGER NOT NULL
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    part TEXT NOT NULL,            -- overview, active, requests, appeals, problems, other
    part_zh TEXT NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    line INTEGER,
    page INTEGER
);

CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    report_id INTEGER REFERENCES reports(id),
    message TEXT NOT NULL,
    page INTEGER,
    line INTEGER
);

CREATE INDEX reports_agency ON reports(agency);
CREATE INDEX reports_year ON reports(year);
CREATE INDEX reports_province_city ON reports(province, city);
CREATE INDEX facts_report ON facts(report_id);
CREATE INDEX facts_keys ON facts(part, row_key, col_key);
CREATE INDEX checks_report ON checks(report_id);
CREATE INDEX checks_failing ON checks(ok, identity);
CREATE INDEX sections_report ON sections(report_id);
CREATE INDEX warnings_source ON warnings(source_id);
CREATE INDEX sources_status ON sources(status);
