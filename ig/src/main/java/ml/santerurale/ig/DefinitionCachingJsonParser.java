package ml.santerurale.ig;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.exceptions.FHIRFormatError;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.JsonParser;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.utilities.validation.ValidationMessage;

/**
 * The core validator's element-model JSON parser, with the definition of a resource type looked
 * up once: the core parser finds it by scanning every StructureDefinition the context knows (some
 * 650, building a URL string for each) for every resource it parses, a tenth of the validation
 * time of a small resource. The map is shared by all parsers of one worker context, whose set of
 * definitions does not change once loaded.
 *
 * <p>Only found definitions are kept; an unknown name goes to the core parser each time, which
 * reports it as before. Does not cache the namespaced (XML, logical model) variant.
 */
final class DefinitionCachingJsonParser extends JsonParser {

    private final Map<String, StructureDefinition> definitions;

    DefinitionCachingJsonParser(IWorkerContext context, Map<String, StructureDefinition> definitions) {
        super(context);
        this.definitions = definitions;
    }

    @Override
    protected StructureDefinition getDefinition(List<ValidationMessage> errors, int line, int col, String name)
            throws FHIRFormatError {
        if (name == null || hasLogical()) {
            return super.getDefinition(errors, line, col, name);
        }
        StructureDefinition known = definitions.get(name);
        if (known != null) {
            return known;
        }
        StructureDefinition found = super.getDefinition(errors, line, col, name);
        if (found != null) {
            definitions.putIfAbsent(name, found);
        }
        return found;
    }
}
