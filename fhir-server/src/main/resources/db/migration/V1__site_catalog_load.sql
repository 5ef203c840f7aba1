-- Which versions of the sites catalogue (sites/mali-sites.json) were applied, so a restart with
-- the same file does no work and an operator can see when a new file took effect.
create table srm_site_catalog_load (
    id          bigserial primary key,
    version     varchar(64)  not null,
    sha256      char(64)     not null unique,
    site_count  integer      not null,
    loaded_at   timestamptz  not null default now()
);
