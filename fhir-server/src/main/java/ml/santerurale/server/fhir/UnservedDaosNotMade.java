package ml.santerurale.server.fhir;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;

/**
 * Removes the definitions of HAPI's R4 DAO and resource-provider beans ({@code my<Type>DaoR4},
 * {@code my<Type>RpR4}, from HAPI's generated configuration) for the resource types this server
 * neither serves nor needs inside: HAPI makes all 146 pairs, and its DAO registry asks Spring for
 * every DAO bean at once, a sixth of a restart's main thread (docs/PERFORMANCE.md). HAPI's
 * generated configuration then skips those types itself: it adds a DAO or provider only for a type
 * its registry supports, and the registry supports exactly the DAOs that exist.
 *
 * <p>Kept: the served types ({@link ServedResourceTypes#ALL}) and the types HAPI reads or writes
 * on its own ({@link #INTERNAL}: its search parameters, the validation support that looks up
 * conformance resources in the database, transactions' Bundles, subscriptions, the Task that Patient $merge records).
 *
 * <p>Does not guarantee that no HAPI code path asks for a removed type's DAO: such a call is
 * refused by HAPI's registry ("this server does not know how to handle resources of type ...",
 * 400), as it would be for a type no client can reach here anyway ({@code ServedTypesGuard}).
 */
final class UnservedDaosNotMade implements BeanFactoryPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(UnservedDaosNotMade.class);

    /** Types HAPI's own services look up through the DAO registry. */
    static final Set<String> INTERNAL = Set.of("SearchParameter", "Subscription", "Bundle", "Questionnaire",
            "ConceptMap", "NamingSystem", "Library", "ImplementationGuide", "Task");

    /** The bean names HAPI's generated configuration gives its DAOs and providers: myPatientDaoR4, myPatientRpR4. */
    private static final Pattern GENERATED = Pattern.compile("my([A-Z][A-Za-z]+)(Dao|Rp)R4");

    /** The class whose bean methods define them. */
    private static final String GENERATED_CONFIG = "ca.uhn.fhir.jpa.config.GeneratedDaoAndResourceProviderConfigR4";

    private final Set<String> kept;
    private final List<String> removed = new ArrayList<>();

    UnservedDaosNotMade(Set<String> kept) {
        this.kept = Set.copyOf(kept);
    }

    static UnservedDaosNotMade forThisServer() {
        Set<String> kept = new TreeSet<>(ServedResourceTypes.ALL);
        kept.addAll(INTERNAL);
        return new UnservedDaosNotMade(kept);
    }

    /** The bean names removed (for tests). */
    List<String> removed() {
        return List.copyOf(removed);
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        BeanDefinitionRegistry registry = (BeanDefinitionRegistry) beanFactory;
        Set<String> daoTypes = new TreeSet<>();
        for (String name : registry.getBeanDefinitionNames()) {
            Matcher generated = GENERATED.matcher(name);
            if (!generated.matches() || !GENERATED_CONFIG.equals(registry.getBeanDefinition(name).getFactoryBeanName())) {
                continue;
            }
            if ("Dao".equals(generated.group(2))) {
                daoTypes.add(generated.group(1));
            }
            if (!kept.contains(generated.group(1))) {
                registry.removeBeanDefinition(name);
                removed.add(name);
            }
        }
        // HAPI renamed its generated beans: fail the start rather than make every DAO silently.
        if (!daoTypes.containsAll(kept)) {
            Set<String> missing = new TreeSet<>(kept);
            missing.removeAll(daoTypes);
            throw new IllegalStateException("HAPI's generated R4 DAO beans (my<Type>DaoR4) not found for " + missing);
        }
        log.debug("{} of HAPI's generated DAO and provider beans not made", removed.size());
    }
}
