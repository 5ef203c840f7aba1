package ml.santerurale.server.sites;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/** Where the sites catalogue is read from ({@code srm.sites.file}). */
@Validated
@ConfigurationProperties("srm.sites")
record SitesProperties(@NotNull Resource file) {}
