package ml.santerurale.server.validation;

import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.context.support.ValueSetExpansionOptions;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import java.util.Locale;
import ml.santerurale.ig.SanteRuraleIg;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.UriType;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * The implementation guide's StructureDefinitions, CodeSystems and ValueSets, served read-only
 * from the package built into the server (no database): read, search by {@code url} or
 * {@code name}, and for terminology {@code $expand} and {@code $validate-code}. There is no write
 * interaction to reach; the role matrix grants only read and search on them.
 */
final class ConformanceResources {

    private ConformanceResources() {}

    static List<IResourceProvider> providers(SanteRuraleIg ig) {
        return List.of(
                new StructureDefinitions(ig.structureDefinitions()),
                new CodeSystems(ig.codeSystems(), ig.validationSupport()),
                new ValueSets(ig.valueSets(), ig.validationSupport()));
    }

    /** The version every served conformance resource has (they change only with the server). */
    static final String VERSION = "1";

    /** Search parameters a conformance search understands, and those any FHIR search may carry. */
    private static final java.util.Set<String> SEARCHABLE = java.util.Set.of(
            "url", "name", "_count", "_format", "_pretty", "_summary", "_elements");

    /** Read, vread and search over a fixed list of conformance resources. */
    abstract static class Served<T extends MetadataResource> implements IResourceProvider {

        private final List<T> resources;
        private final Class<T> type;

        Served(List<T> resources, Class<T> type) {
            // One version each, as long as this server runs this guide.
            this.resources = resources.stream().map(r -> {
                T copy = type.cast(r.copy());
                copy.getMeta().setVersionId(VERSION);
                return copy;
            }).toList();
            this.type = type;
        }

        @Override
        public Class<T> getResourceType() {
            return type;
        }

        @Read(version = true)
        public T read(@IdParam IdType id) {
            return resources.stream().filter(r -> r.getIdElement().getIdPart().equals(id.getIdPart()))
                    .filter(r -> !id.hasVersionIdPart() || VERSION.equals(id.getVersionIdPart()))
                    .findFirst()
                    .map(r -> type.cast(r.copy()))
                    .orElseThrow(() -> new ResourceNotFoundException(id.withResourceType(type.getSimpleName())));
        }

        /**
         * By {@code url} and {@code name} only: any other search parameter is refused (400), never
         * ignored, so a filter the client believes applied cannot widen the answer.
         */
        @Search(allowUnknownParams = true)
        public List<T> search(@OptionalParam(name = "url") UriParam url, @OptionalParam(name = "name") StringParam name,
                @Count Integer count, RequestDetails request) {
            List<String> unsupported = request.getParameters().keySet().stream()
                    .filter(p -> !SEARCHABLE.contains(p))
                    .sorted().toList();
            if (!unsupported.isEmpty()) {
                throw new InvalidRequestException("The implementation guide's " + type.getSimpleName()
                        + " resources are searched by url and name only; not supported here: "
                        + String.join(", ", unsupported));
            }
            return resources.stream()
                    .filter(r -> url == null || url.getValue().equals(r.getUrl()))
                    .filter(r -> name == null || r.getName() != null
                            && r.getName().toLowerCase(Locale.ROOT).startsWith(name.getValue().toLowerCase(Locale.ROOT)))
                    .limit(count == null || count < 0 ? Long.MAX_VALUE : count)
                    .map(r -> type.cast(r.copy()))
                    .toList();
        }

        T byIdOrUrl(IdType id, String url) {
            if (id != null && id.hasIdPart()) {
                return read(id);
            }
            if (url == null || url.isBlank()) {
                throw new InvalidRequestException("Give the " + type.getSimpleName() + " by id or by its url parameter");
            }
            String plain = url.contains("|") ? url.substring(0, url.indexOf('|')) : url;
            return resources.stream().filter(r -> plain.equals(r.getUrl())).findFirst()
                    .orElseThrow(() -> new ResourceNotFoundException(type.getSimpleName() + " " + url + " is not part of this server's implementation guide"));
        }
    }

    static final class StructureDefinitions extends Served<StructureDefinition> {
        StructureDefinitions(List<StructureDefinition> resources) {
            super(resources, StructureDefinition.class);
        }
    }

    static final class CodeSystems extends Served<CodeSystem> {

        private final IValidationSupport support;

        CodeSystems(List<CodeSystem> resources, IValidationSupport support) {
            super(resources, CodeSystem.class);
            this.support = support;
        }

        @Operation(name = "$validate-code", idempotent = true)
        public Parameters validateCode(@IdParam(optional = true) IdType id,
                @OperationParam(name = "url") UriType url,
                @OperationParam(name = "code") CodeType code,
                @OperationParam(name = "display") StringType display) {
            CodeSystem codeSystem = byIdOrUrl(id, url == null ? null : url.getValue());
            if (code == null || !code.hasValue()) {
                throw new InvalidRequestException("$validate-code needs a code");
            }
            IValidationSupport.CodeValidationResult result = support.validateCode(new ValidationSupportContext(support),
                    new ConceptValidationOptions(), codeSystem.getUrl(), code.getValue(),
                    display == null ? null : display.getValue(), null);
            return answer(result, codeSystem.getUrl(), code.getValue());
        }
    }

    static final class ValueSets extends Served<ValueSet> {

        private final IValidationSupport support;

        ValueSets(List<ValueSet> resources, IValidationSupport support) {
            super(resources, ValueSet.class);
            this.support = support;
        }

        @Operation(name = "$expand", idempotent = true)
        public ValueSet expand(@IdParam(optional = true) IdType id, @OperationParam(name = "url") UriType url) {
            ValueSet valueSet = byIdOrUrl(id, url == null ? null : url.getValue());
            IValidationSupport.ValueSetExpansionOutcome outcome = support.expandValueSet(
                    new ValidationSupportContext(support), new ValueSetExpansionOptions(), valueSet);
            if (outcome == null || outcome.getValueSet() == null) {
                throw new InvalidRequestException("ValueSet " + valueSet.getUrl() + " cannot be expanded here"
                        + (outcome == null || outcome.getError() == null ? "" : ": " + outcome.getError()));
            }
            ValueSet expanded = (ValueSet) outcome.getValueSet();
            expanded.setId(valueSet.getIdElement().getIdPart());
            expanded.setUrl(valueSet.getUrl());
            expanded.setName(valueSet.getName());
            expanded.setTitle(valueSet.getTitle());
            expanded.setStatus(valueSet.getStatus());
            return expanded;
        }

        @Operation(name = "$validate-code", idempotent = true)
        public Parameters validateCode(@IdParam(optional = true) IdType id,
                @OperationParam(name = "url") UriType url,
                @OperationParam(name = "system") UriType system,
                @OperationParam(name = "code") CodeType code,
                @OperationParam(name = "display") StringType display) {
            ValueSet valueSet = byIdOrUrl(id, url == null ? null : url.getValue());
            if (code == null || !code.hasValue()) {
                throw new InvalidRequestException("$validate-code needs a code (and its system)");
            }
            ConceptValidationOptions options = new ConceptValidationOptions();
            if (system == null || !system.hasValue()) {
                options.setInferSystem(true);
            }
            IValidationSupport.CodeValidationResult result = support.validateCodeInValueSet(new ValidationSupportContext(support),
                    options, system == null ? null : system.getValue(), code.getValue(),
                    display == null ? null : display.getValue(), (IBaseResource) valueSet);
            return answer(result, valueSet.getUrl(), code.getValue());
        }
    }

    private static Parameters answer(IValidationSupport.CodeValidationResult result, String where, String code) {
        Parameters parameters = new Parameters();
        boolean valid = result != null && result.isOk();
        parameters.addParameter().setName("result").setValue(new BooleanType(valid));
        if (valid && result.getDisplay() != null) {
            parameters.addParameter().setName("display").setValue(new StringType(result.getDisplay()));
        }
        if (!valid) {
            String message = result != null && result.getMessage() != null ? result.getMessage()
                    : "Le code " + code + " n'appartient pas à " + where;
            parameters.addParameter().setName("message").setValue(new StringType(message));
        }
        return parameters;
    }
}
