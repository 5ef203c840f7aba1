-- Active referrals (ServiceRequest) from one site to another: each row lets the staff of to_site
-- see patient_id's record at from_site. Kept in step with the ServiceRequest in the same
-- database transaction; a completed, revoked or deleted referral has no row.
create table srm_referral_grant (
    service_request_id varchar(100) not null,
    to_site            varchar(64)  not null,
    from_site          varchar(64)  not null,
    patient_id         varchar(100) not null,
    granted_at         timestamptz  not null default now(),
    primary key (service_request_id, to_site)
);
create index srm_referral_grant_to_site on srm_referral_grant (to_site);
