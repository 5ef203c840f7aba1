-- The DHIS2 export journal (mappings/dhis2): every dataValueSet to deliver, its state, and every
-- attempt. Rows are never deleted by the application.
create table srm_dhis2_export (
    id bigserial primary key,
    report text not null,                 -- the Measure id (rma-monthly, epidemic-weekly)
    site text not null,                   -- the site code (CSCOM-KONOBOUGOU)
    period text not null,                 -- the DHIS2 period (202611, 2026W47)
    org_unit text not null,
    data_set text not null,
    payload text not null,                -- the dataValueSet JSON, exactly as sent
    payload_sha256 text not null,         -- of the values alone: an unchanged re-export has the same hash
    status text not null check (status in ('pending', 'sent', 'warning', 'failed', 'superseded')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    imported integer,
    updated integer,
    ignored integer,
    deleted integer,
    conflicts text,                       -- one conflict a line, as DHIS2 reported them
    last_error text,
    created_at timestamptz not null default now(),
    finished_at timestamptz
);

create index srm_dhis2_export_due on srm_dhis2_export (next_attempt_at) where status = 'pending';
create index srm_dhis2_export_site_period on srm_dhis2_export (site, period, report);

create table srm_dhis2_attempt (
    id bigserial primary key,
    export_id bigint not null references srm_dhis2_export (id),
    attempt integer not null,
    attempted_at timestamptz not null default now(),
    duration_ms bigint not null,
    http_status integer,                  -- null when no answer came (timeout, connection dropped)
    outcome text not null check (outcome in ('sent', 'warning', 'retry', 'failed')),
    detail text
);

create index srm_dhis2_attempt_export on srm_dhis2_attempt (export_id);
