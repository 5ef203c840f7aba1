package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.Set;
import java.util.TreeSet;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;

/**
 * HAPI's DAOs and resource providers are made only for the types this server serves or uses
 * inside ({@link UnservedDaosNotMade}).
 */
class UnservedDaosNotMadeTest extends ServerIntegrationTest {

    private static final String GENERATED = "ca.uhn.fhir.jpa.config.GeneratedDaoAndResourceProviderConfigR4";

    @Autowired
    DaoRegistry daos;

    @Autowired
    RestfulServer server;

    private final DefaultListableBeanFactory factory = new DefaultListableBeanFactory();

    @Test
    void theRunningServerHasADaoForEveryKeptTypeAndNoOther() {
        Set<String> kept = new TreeSet<>(ServedResourceTypes.ALL);
        kept.addAll(UnservedDaosNotMade.INTERNAL);
        assertThat(new TreeSet<>(daos.getRegisteredDaoTypes())).isEqualTo(kept);
        assertThat(daos.isResourceTypeSupported("Goal")).isFalse();
        assertThat(daos.getResourceDaoOrNull("Patient")).isNotNull();
    }

    @Test
    void theRestLayerStillServesEveryStoredType() {
        Set<String> served = new TreeSet<>();
        server.getResourceProviders().forEach(p -> served.add(p.getResourceType().getSimpleName()));
        // AuditEvent is served by the audit trail's own provider, not HAPI's.
        Set<String> expected = new TreeSet<>(ServedResourceTypes.STORED);
        expected.remove("AuditEvent");
        assertThat(served).containsAll(expected);
    }

    private void generated(String name) {
        RootBeanDefinition definition = new RootBeanDefinition();
        definition.setFactoryBeanName(GENERATED);
        definition.setFactoryMethodName(name);
        factory.registerBeanDefinition(name, definition);
    }

    @Test
    void removesTheDaoAndProviderOfATypeNotKeptAndLeavesTheRest() {
        generated("myPatientDaoR4");
        generated("myPatientRpR4");
        generated("myGoalDaoR4");
        generated("myGoalRpR4");
        // Same shape, another configuration (HAPI's system DAO): never touched.
        RootBeanDefinition system = new RootBeanDefinition();
        system.setFactoryBeanName("ca.uhn.fhir.jpa.config.r4.JpaR4Config");
        factory.registerBeanDefinition("mySystemDaoR4", system);

        UnservedDaosNotMade processor = new UnservedDaosNotMade(Set.of("Patient"));
        processor.postProcessBeanFactory(factory);

        assertThat(factory.getBeanDefinitionNames())
                .containsExactlyInAnyOrder("myPatientDaoR4", "myPatientRpR4", "mySystemDaoR4");
        assertThat(processor.removed()).containsExactlyInAnyOrder("myGoalDaoR4", "myGoalRpR4");
    }

    @Test
    void refusesToStartWhenAKeptTypeHasNoGeneratedDao() {
        // What a renaming of the generated beans in a HAPI upgrade looks like.
        generated("daoPatientR4");

        assertThatThrownBy(() -> new UnservedDaosNotMade(Set.of("Patient")).postProcessBeanFactory(factory))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[Patient]");
    }
}
