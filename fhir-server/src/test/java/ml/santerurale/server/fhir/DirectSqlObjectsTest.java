package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.HibernatePropertiesProvider;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.search.builder.predicate.CoordsPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.DatePredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.NumberPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.QuantityPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.ResourceIdPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.SearchParamPresentPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.StringPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.TagPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.TokenPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.UriPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.GeneratedSql;
import ca.uhn.fhir.jpa.search.builder.sql.SearchQueryBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.SqlObjectFactory;
import jakarta.persistence.EntityManager;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/**
 * HAPI's predicate builders and query executors made without Spring ({@link DirectSqlObjects})
 * carry exactly what Spring injects into the ones it makes, and searches through them answer.
 */
class DirectSqlObjectsTest extends ServerIntegrationTest {

    @Autowired
    SqlObjectFactory factory;

    @Autowired
    ApplicationContext context;

    @Autowired
    JpaStorageSettings storageSettings;

    @Autowired
    PartitionSettings partitionSettings;

    @Autowired
    HibernatePropertiesProvider dialect;

    @Test
    void builtObjectsCarryWhatSpringInjectsIntoItsOwn() {
        assertThat(factory).isInstanceOf(DirectSqlObjects.class);
        DirectSqlObjects direct = (DirectSqlObjects) factory;
        SearchQueryBuilder builder = new SearchQueryBuilder(fhirContext, storageSettings, partitionSettings,
                RequestPartitionId.allPartitions(), "Patient", factory, dialect, false, false);
        Map<Class<?>, Function<SearchQueryBuilder, Object>> makers = Map.of(
                StringPredicateBuilder.class, direct::stringIndexTable, TokenPredicateBuilder.class, direct::tokenIndexTable,
                DatePredicateBuilder.class, direct::dateIndexTable, NumberPredicateBuilder.class, direct::numberIndexTable,
                UriPredicateBuilder.class, direct::uriIndexTable, QuantityPredicateBuilder.class, direct::quantityIndexTable,
                CoordsPredicateBuilder.class, direct::coordsPredicateBuilder, ResourceIdPredicateBuilder.class, direct::resourceId,
                SearchParamPresentPredicateBuilder.class, direct::searchParamPresentPredicateBuilder,
                TagPredicateBuilder.class, direct::newTagPredicateBuilder);
        int fields = 0;
        for (Map.Entry<Class<?>, Function<SearchQueryBuilder, Object>> maker : makers.entrySet()) {
            Class<?> type = maker.getKey();
            maker.getValue().apply(builder);
            Object made = maker.getValue().apply(builder);
            assertThat(made).isInstanceOf(type);
            assertThat(direct.direct(type)).as(type.getSimpleName()).isTrue();
            Object springs = context.getBean(type, builder);
            assertThat(injected(made)).as(type.getSimpleName()).isEqualTo(injected(springs));
            fields += injected(made).size();
        }
        assertThat(fields).as("fields injected into the builders").isGreaterThan(10);
        GeneratedSql sql = new GeneratedSql(false, "select 1", List.of());
        direct.newSearchQueryExecutor(sql, 10);
        Object executor = direct.newSearchQueryExecutor(sql, 10);
        assertThat(direct.direct(executor.getClass())).isTrue();
        assertThat(injected(executor)).isNotEmpty().isEqualTo(injected(context.getBean(executor.getClass(), sql, 10)));
    }

    @Test
    void searchesOfEveryKindOfParameterAnswer() {
        for (String search : List.of("/Patient?name=Tra&gender=female&birthdate=ge1900-01-01&_id=x,y",
                "/Patient?phonetic=Trao&_tag=https://sante-rurale.ml/fhir/CodeSystem/test-tag|x",
                "/Observation?value-quantity=gt1&code=http://loinc.org|8310-5")) {
            HttpResponse<String> first = get(search);
            HttpResponse<String> second = get(search);
            assertThat(first.statusCode()).as(search + ": " + first.body()).isEqualTo(200);
            assertThat(second.statusCode()).as(search + ": " + second.body()).isEqualTo(200);
        }
    }

    /**
     * The values of the fields Spring injects, by class and name: the very object (singletons),
     * what a lazy-lookup proxy (repositories, one per injection point) stands for, or for the
     * entity manager, Spring's shared proxy (one per injection point, each bound to the
     * transaction's entity manager).
     */
    private static Map<String, String> injected(Object object) {
        Map<String, String> values = new TreeMap<>();
        for (Class<?> c = object.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && DirectSqlObjects.injected(field)) {
                    field.setAccessible(true);
                    try {
                        Object value = field.get(object);
                        if (value instanceof Advised lazy) {
                            value = lazy.getTargetSource().getTarget();
                        }
                        values.put(c.getSimpleName() + "." + field.getName(), value instanceof EntityManager
                                ? "shared entity manager proxy: " + Proxy.isProxyClass(value.getClass())
                                : value == null ? "null" : value.getClass().getName() + "@" + System.identityHashCode(value));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return values;
    }
}
