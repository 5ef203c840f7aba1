package ml.santerurale.server.fhir;

import ca.uhn.fhir.jpa.search.builder.QueryStack;
import ca.uhn.fhir.jpa.search.builder.predicate.CoordsPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.DatePredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.NumberPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.QuantityPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.ResourceIdPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.ResourceLinkPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.SearchParamPresentPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.StringPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.TagPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.TokenPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.UriPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.GeneratedSql;
import ca.uhn.fhir.jpa.search.builder.sql.SearchQueryBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.SearchQueryExecutor;
import ca.uhn.fhir.jpa.search.builder.sql.SqlObjectFactory;
import jakarta.annotation.PostConstruct;
import jakarta.persistence.PersistenceContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.beans.factory.Aware;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * HAPI's {@link SqlObjectFactory}, making the predicate builders and the query executor of a
 * search without asking Spring each time. HAPI asks the application context for a new prototype
 * bean for each of them (a lookup by type and every bean post-processor: 8 % of a name search's
 * request thread in JFR). The first object of each class is still Spring's; the values Spring
 * injected into its fields ({@code @Autowired}, {@code @Value}, {@code @PersistenceContext}:
 * singletons and the shared, transaction-bound entity manager proxy) are then given to every
 * later one, made with the same constructor arguments HAPI passes to Spring. The builders that
 * make {@code :missing} predicates are made as {@link MissingInPartition}'s subclasses (HAPI's
 * predicate fails with partitions).
 *
 * <p>Does not guarantee anything for a class with more lifecycle than field injection (init
 * methods, {@code Aware} callbacks, injected methods, a proxy in place of the object): such a
 * class, found at its first object, stays Spring's every time. {@code DirectSqlObjectsTest}
 * compares each class's injected fields with a Spring-made object's.
 */
final class DirectSqlObjects extends SqlObjectFactory {

    /** How to make one class without Spring, or {@link #SPRING} to ask Spring each time. */
    private record Recipe(Constructor<?> constructor, List<Field> fields, List<Object> values) {}

    private static final Recipe SPRING = new Recipe(null, List.of(), List.of());

    private final Map<Class<?>, Recipe> recipes = new ConcurrentHashMap<>();

    @Override
    public StringPredicateBuilder stringIndexTable(SearchQueryBuilder builder) {
        return made(StringPredicateBuilder.class, MissingInPartition.Strings.class, () -> super.stringIndexTable(builder), builder);
    }

    @Override
    public TokenPredicateBuilder tokenIndexTable(SearchQueryBuilder builder) {
        return made(TokenPredicateBuilder.class, MissingInPartition.Tokens.class, () -> super.tokenIndexTable(builder), builder);
    }

    @Override
    public DatePredicateBuilder dateIndexTable(SearchQueryBuilder builder) {
        return made(DatePredicateBuilder.class, MissingInPartition.Dates.class, () -> super.dateIndexTable(builder), builder);
    }

    @Override
    public NumberPredicateBuilder numberIndexTable(SearchQueryBuilder builder) {
        return made(NumberPredicateBuilder.class, MissingInPartition.Numbers.class, () -> super.numberIndexTable(builder), builder);
    }

    @Override
    public UriPredicateBuilder uriIndexTable(SearchQueryBuilder builder) {
        return made(UriPredicateBuilder.class, MissingInPartition.Uris.class, () -> super.uriIndexTable(builder), builder);
    }

    @Override
    public QuantityPredicateBuilder quantityIndexTable(SearchQueryBuilder builder) {
        return made(QuantityPredicateBuilder.class, MissingInPartition.Quantities.class, () -> super.quantityIndexTable(builder), builder);
    }

    @Override
    public CoordsPredicateBuilder coordsPredicateBuilder(SearchQueryBuilder builder) {
        return made(CoordsPredicateBuilder.class, MissingInPartition.Coords.class, () -> super.coordsPredicateBuilder(builder), builder);
    }

    @Override
    public ResourceLinkPredicateBuilder resourceLinkIndexTable(QueryStack stack, SearchQueryBuilder builder) {
        return made(ResourceLinkPredicateBuilder.class, MissingInPartition.Links.class,
                () -> super.resourceLinkIndexTable(stack, builder), stack, builder);
    }

    @Override
    public ResourceIdPredicateBuilder resourceId(SearchQueryBuilder builder) {
        return made(ResourceIdPredicateBuilder.class, ResourceIdPredicateBuilder.class, () -> super.resourceId(builder), builder);
    }

    @Override
    public SearchParamPresentPredicateBuilder searchParamPresentPredicateBuilder(SearchQueryBuilder builder) {
        return made(SearchParamPresentPredicateBuilder.class, SearchParamPresentPredicateBuilder.class, () -> super.searchParamPresentPredicateBuilder(builder), builder);
    }

    @Override
    public TagPredicateBuilder newTagPredicateBuilder(SearchQueryBuilder builder) {
        return made(TagPredicateBuilder.class, TagPredicateBuilder.class, () -> super.newTagPredicateBuilder(builder), builder);
    }

    @Override
    public SearchQueryExecutor newSearchQueryExecutor(GeneratedSql sql, Integer maxResultsToFetch) {
        return made(SearchQueryExecutor.class, SearchQueryExecutor.class, () -> super.newSearchQueryExecutor(sql, maxResultsToFetch), sql, maxResultsToFetch);
    }

    /** Whether objects of {@code type} are now made without Spring (for tests). */
    boolean direct(Class<?> type) {
        Recipe recipe = recipes.get(type);
        return recipe != null && recipe != SPRING;
    }

    /**
     * An object of HAPI's {@code type}, made as {@code make} (the type itself or one of
     * {@link MissingInPartition}'s subclasses, which add no field). Spring makes the first one, whose
     * injected values make the recipe; if the class cannot be made without Spring, Spring's object
     * (of HAPI's own class) is returned every time.
     */
    private <T> T made(Class<T> type, Class<? extends T> make, Supplier<T> spring, Object... arguments) {
        Recipe recipe = recipes.get(type);
        if (recipe == null) {
            T first = spring.get();
            recipe = recipeFrom(type, make, first, arguments.length);
            recipes.putIfAbsent(type, recipe);
            if (recipe == SPRING || make == type) {
                return first;
            }
        }
        if (recipe == SPRING) {
            return spring.get();
        }
        try {
            T made = type.cast(recipe.constructor().newInstance(arguments));
            for (int i = 0; i < recipe.fields().size(); i++) {
                recipe.fields().get(i).set(made, recipe.values().get(i));
            }
            return made;
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot make HAPI's " + type.getSimpleName() + " for a search", e);
        }
    }

    /** The recipe of a class, read from the object Spring made, or {@link #SPRING}. */
    static Recipe recipeFrom(Class<?> type, Class<?> make, Object first, int arguments) {
        if (first == null || first.getClass() != type || first instanceof Aware || first instanceof InitializingBean
                || (make != type && (make.getSuperclass() != type || addsFields(make)))) {
            return SPRING;
        }
        Constructor<?> constructor = null;
        for (Constructor<?> candidate : make.getConstructors()) {
            if (constructor != null) {
                return SPRING;
            }
            constructor = candidate;
        }
        if (constructor == null || constructor.getParameterCount() != arguments) {
            return SPRING;
        }
        List<Field> fields = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Autowired.class) || method.isAnnotationPresent(PostConstruct.class)) {
                    return SPRING;
                }
            }
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || !injected(field)) {
                    continue;
                }
                if (Modifier.isFinal(field.getModifiers())) {
                    return SPRING;
                }
                field.setAccessible(true);
                try {
                    values.add(field.get(first));
                } catch (IllegalAccessException e) {
                    return SPRING;
                }
                fields.add(field);
            }
        }
        return new Recipe(constructor, List.copyOf(fields), Collections.unmodifiableList(values));
    }

    private static boolean addsFields(Class<?> subclass) {
        for (Field field : subclass.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                return true;
            }
        }
        return false;
    }

    static boolean injected(Field field) {
        return field.isAnnotationPresent(Autowired.class) || field.isAnnotationPresent(Value.class)
                || field.isAnnotationPresent(PersistenceContext.class);
    }
}
