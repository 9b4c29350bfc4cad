package dev.switchboard.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Reads a gateway YAML file. Every failure becomes one {@link InvalidConfigException} naming file, key and problem. */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    private ConfigLoader() {
    }

    public static GatewayConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode tree = YAML.readTree(in);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new InvalidConfigException(file, "(document)", "is empty");
            }
            KnownKeys.firstUnknown(tree, GatewayConfig.class, "").ifPresent(unknown -> {
                throw new InvalidConfigException(file, unknown.path(), "is not a known key; expected one of " + unknown.known());
            });
            return YAML.treeToValue(tree, GatewayConfig.class);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file, "(file)", "does not exist");
        } catch (JsonMappingException e) {
            throw translate(file, e);
        } catch (JsonProcessingException e) {
            throw syntaxError(file, e);
        } catch (IOException e) {
            throw new InvalidConfigException(file, "(file)", "cannot be read: " + e.getMessage());
        }
    }

    private static InvalidConfigException translate(Path file, JsonMappingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonParseException parse) {
                return syntaxError(file, parse);
            }
        }
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining()).replaceFirst("^\\.", "");
        ConfigException cause = findConfigException(e);
        if (cause != null) {
            // The record names the key relative to itself; the mapping path says where that record sits.
            return new InvalidConfigException(file, path.isEmpty() ? cause.key() : path + "." + cause.key(), cause.problem());
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new InvalidConfigException(file, path, "is not a known key; expected one of " + unknown.getKnownPropertyIds());
        }
        return new InvalidConfigException(file, path.isEmpty() ? "(document)" : path, e.getOriginalMessage());
    }

    private static InvalidConfigException syntaxError(Path file, JsonProcessingException e) {
        String line = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        return new InvalidConfigException(file, "(syntax)", "is not valid YAML" + line + ": " + message);
    }

    private static ConfigException findConfigException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException config) {
                return config;
            }
        }
        return null;
    }
}
