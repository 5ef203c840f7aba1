package ml.santerurale.interceptors.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BundleEntryUrlsTest {

    @Test
    void readsTheTypeOfInstanceTypeAndSearchUrls() {
        assertThat(BundleEntryUrls.resourceType("Patient/123")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("/Patient")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("Patient?identifier=a|b")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType("Patient/1/_history/2")).isEqualTo("Patient");
        assertThat(BundleEntryUrls.resourceType(" ")).isNull();
    }

    @Test
    void readsTheIdOnlyFromInstanceUrls() {
        assertThat(BundleEntryUrls.resourceId("Patient/123")).isEqualTo("123");
        assertThat(BundleEntryUrls.resourceId("Patient/123/_history/4")).isEqualTo("123");
        assertThat(BundleEntryUrls.resourceId("Patient?_id=123")).isNull();
        assertThat(BundleEntryUrls.resourceId("Patient")).isNull();
    }
}
