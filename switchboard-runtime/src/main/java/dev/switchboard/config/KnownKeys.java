package dev.switchboard.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Finds the first key in a YAML tree that the config records do not have. Runs before binding, because a
 * record validates itself as soon as it is built, and a typo would otherwise show up as a missing key.
 */
final class KnownKeys {

    private KnownKeys() {
    }

    /** The dotted path of the first unknown key and the keys allowed there, if any key is unknown. */
    static Optional<InvalidKey> firstUnknown(JsonNode node, Type type, String path) {
        if (type instanceof Class<?> record && record.isRecord() && node.isObject()) {
            List<String> known = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                RecordComponent component = Arrays.stream(record.getRecordComponents())
                        .filter(c -> c.getName().equals(field.getKey())).findFirst().orElse(null);
                if (component == null) {
                    return Optional.of(new InvalidKey(fieldPath, known));
                }
                Optional<InvalidKey> nested = firstUnknown(field.getValue(), component.getGenericType(), fieldPath);
                if (nested.isPresent()) {
                    return nested;
                }
            }
        } else if (type instanceof ParameterizedType list && list.getRawType() == List.class && node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Optional<InvalidKey> nested = firstUnknown(node.get(i), list.getActualTypeArguments()[0], path + "[" + i + "]");
                if (nested.isPresent()) {
                    return nested;
                }
            }
        }
        return Optional.empty();
    }

    record InvalidKey(String path, List<String> known) {
    }
}
