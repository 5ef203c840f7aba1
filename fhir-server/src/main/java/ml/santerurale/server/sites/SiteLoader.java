package ml.santerurale.server.sites;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import ml.santerurale.server.access.JdbcSiteDirectory;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Loads the sites catalogue at start, in one FHIR transaction, before the server reports ready.
 * A catalogue whose exact bytes were already loaded is skipped; a changed one is applied as
 * updates of the same resources (unchanged sites keep their version). Each applied load is
 * recorded in {@code srm_site_catalog_load}.
 *
 * <p>Each site also gets a storage partition named by its code (created once, id never reused).
 *
 * <p>Does not remove sites dropped from the file: a site that held records is never deleted,
 * it is marked inactive by editing the file.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SiteLoader implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SiteLoader.class);

    private final SitesProperties properties;
    private final IFhirSystemDao<Bundle, ?> systemDao;
    private final JdbcTemplate jdbc;
    private final JdbcSiteDirectory siteDirectory;

    SiteLoader(SitesProperties properties, IFhirSystemDao<Bundle, ?> systemDao, JdbcTemplate jdbc,
            JdbcSiteDirectory siteDirectory) {
        this.properties = properties;
        this.systemDao = systemDao;
        this.jdbc = jdbc;
        this.siteDirectory = siteDirectory;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        SiteCatalog catalog;
        try (InputStream in = properties.file().getInputStream()) {
            catalog = SiteCatalog.read(in);
        }
        // Every site is a storage partition of its own (clinical data are confined to it).
        siteDirectory.ensurePartitions(catalog.sites().stream().map(SiteCatalog.Site::code).toList());
        Integer already = jdbc.queryForObject(
                "select count(*) from srm_site_catalog_load where sha256 = ?", Integer.class, catalog.sha256());
        if (already != null && already > 0) {
            log.info("Sites catalogue {} ({} sites) already loaded", catalog.version(), catalog.sites().size());
            return;
        }
        long started = System.nanoTime();
        systemDao.transaction(new SystemRequestDetails(), SiteResources.transaction(catalog));
        jdbc.update("insert into srm_site_catalog_load (version, sha256, site_count) values (?, ?, ?)",
                catalog.version(), catalog.sha256(), catalog.sites().size());
        log.info("Sites catalogue {} loaded: {} sites in {} ms", catalog.version(), catalog.sites().size(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
