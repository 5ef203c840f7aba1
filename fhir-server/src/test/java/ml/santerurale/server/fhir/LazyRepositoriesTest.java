package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.repository.Repository;

/**
 * HAPI's repositories are built after readiness ({@link LazyRepositories}), so a query that Spring
 * Data or Hibernate would refuse no longer stops the start: this test builds every one of them,
 * which parses and validates each declared query.
 */
class LazyRepositoriesTest extends ServerIntegrationTest {

    @Autowired
    LazyRepositories lazyRepositories;

    @Autowired
    ApplicationContext context;

    @Test
    void everyLazyRepositoryBuildsWithItsQueries() {
        assertThat(lazyRepositories.beanNames()).as("HAPI's repositories were made lazy").hasSizeGreaterThan(40);
        for (String name : lazyRepositories.beanNames()) {
            assertThat(context.getBean(name)).as(name).isInstanceOf(Repository.class);
        }
    }
}
