package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.search.builder.QueryStack;
import ca.uhn.fhir.jpa.search.builder.models.MissingQueryParameterPredicateParams;
import ca.uhn.fhir.jpa.search.builder.predicate.CoordsPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.DatePredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.NumberPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.QuantityPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.ResourceLinkPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.StringPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.TokenPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.predicate.UriPredicateBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.SearchQueryBuilder;
import ca.uhn.fhir.jpa.util.QueryParameterUtils;
import com.healthmarketscience.sqlbuilder.Condition;
import java.util.function.Function;

/**
 * HAPI's {@code :missing} predicates (a parameter whose absence is not indexed: {@code NOT EXISTS}
 * a row of the index table for the resource) with the caller's partitions required of the
 * resource itself. HAPI 8.8.0 adds the partition condition on the index table from outside the
 * subquery that reads it, which its SQL builder rejects whenever partitioning is on (HAPI-2223,
 * "Columns used for unreferenced tables"): every {@code :missing} search answered 500. Here the
 * subquery is HAPI's, built for every partition, and the partition condition is put on the
 * resource table of the outer query, so a site's search still finds only the resources of the
 * partitions it may read (its site's and the shared ones).
 *
 * <p>The subclasses below (one per HAPI class: the same three lines each) add no field and change
 * nothing else; {@link DirectSqlObjects} makes
 * them in place of HAPI's classes. Does not change anything when search hashes include the
 * partition ({@link PartitionSettings#isIncludePartitionInSearchHashes()}): the subquery's hash
 * would then depend on the partition, so HAPI's predicate is left as HAPI builds it.
 */
final class MissingInPartition {

    private MissingInPartition() {}

    static Condition predicate(MissingQueryParameterPredicateParams params, PartitionSettings settings,
            Function<MissingQueryParameterPredicateParams, Condition> hapi) {
        if (settings.isIncludePartitionInSearchHashes()) {
            return hapi.apply(params);
        }
        Condition subquery = hapi.apply(new MissingQueryParameterPredicateParams(params.getResourceTablePredicateBuilder(),
                params.isMissing(), params.getParamName(), RequestPartitionId.allPartitions()));
        Condition partitions = params.getResourceTablePredicateBuilder().createPartitionIdPredicate(params.getRequestPartitionId());
        return partitions == null ? subquery : QueryParameterUtils.toAndPredicate(partitions, subquery);
    }

    public static final class Strings extends StringPredicateBuilder {
        public Strings(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Tokens extends TokenPredicateBuilder {
        public Tokens(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Dates extends DatePredicateBuilder {
        public Dates(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Numbers extends NumberPredicateBuilder {
        public Numbers(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Quantities extends QuantityPredicateBuilder {
        public Quantities(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Uris extends UriPredicateBuilder {
        public Uris(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Coords extends CoordsPredicateBuilder {
        public Coords(SearchQueryBuilder builder) {
            super(builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }

    public static final class Links extends ResourceLinkPredicateBuilder {
        public Links(QueryStack stack, SearchQueryBuilder builder) {
            super(stack, builder);
        }

        @Override
        public Condition createPredicateParamMissingValue(MissingQueryParameterPredicateParams params) {
            return predicate(params, getPartitionSettings(), super::createPredicateParamMissingValue);
        }
    }
}
