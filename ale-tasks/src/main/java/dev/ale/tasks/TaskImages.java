package dev.ale.tasks;

import dev.ale.tasks.TaskFiles.Found;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container side of a Terminal-Bench or Harbor task, from its compose file and Dockerfile:
 * the image it names, the working directory and variables ALE honours, and warnings for what it
 * reads but ignores. The working directory must be one today's sandboxes can write, else the
 * task is refused with the line that set it.
 */
final class TaskImages {

    /** What the task's container description gives the sandbox. */
    record Side(Optional<String> image, String workdir, Map<String, String> env, List<String> warnings) {
    }

    private TaskImages() {
    }

    /**
     * @param folder where the task keeps its container files, relative to the task directory ("" or "environment")
     * @param prebuilt an image the task file names itself (Harbor's docker_image), used instead of a Dockerfile
     */
    static Side read(TaskFiles files, Path shown, String folder, Optional<String> prebuilt) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        List<String> warnings = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        Optional<String> image = prebuilt;
        Optional<String> workdir = Optional.empty();
        String workdirFrom = "";

        Optional<ComposeFiles.Service> service = Optional.empty();
        for (String name : List.of("docker-compose.yaml", "docker-compose.yml", "compose.yaml")) {
            Optional<Found> compose = files.fixed(prefix + name);
            if (compose.isPresent()) {
                service = Optional.of(ComposeFiles.read(compose.get().real(), shown.resolve(prefix + name).toString()));
                break;
            }
        }
        String dockerfileName = prefix + service.flatMap(ComposeFiles.Service::dockerfile).orElse("Dockerfile");
        if (image.isEmpty() && service.isPresent() && service.get().dockerfile().isEmpty()) image = service.get().image();
        if (image.isEmpty()) {
            Optional<Found> dockerfile = files.fixed(dockerfileName);
            if (service.isPresent() && service.get().dockerfile().isPresent() && dockerfile.isEmpty()) {
                throw new TaskException(shown.resolve(dockerfileName) + ": does not exist, and the compose file builds from it");
            }
            if (dockerfile.isPresent()) {
                if (!Files.isRegularFile(dockerfile.get().real())) {
                    throw new TaskException(shown.resolve(dockerfileName) + ": is not a regular file");
                }
                String written = shown.resolve(dockerfileName).toString();
                Dockerfiles.Recipe recipe = Dockerfiles.read(dockerfile.get().real(), written);
                image = recipe.image();
                workdir = recipe.workdir();
                workdirFrom = written + " line " + recipe.workdirLine() + " (WORKDIR)";
                env.putAll(recipe.env());
                warnings.addAll(recipe.warnings());
            }
        }
        if (service.isPresent()) {
            warnings.addAll(service.get().warnings());
            env.putAll(service.get().env());
            if (service.get().workdir().isPresent()) {
                workdir = service.get().workdir();
                workdirFrom = shown.resolve(prefix + "docker-compose.yaml") + ": services." + service.get().name() + ".working_dir";
            }
        }
        String dir = workdir.orElse(AleTaskReader.DEFAULT_WORKDIR);
        if (!dir.startsWith("/")) throw new TaskException(workdirFrom + ": " + dir + " is not an absolute path");
        dir = Path.of(dir).normalize().toString();
        String from = workdirFrom;
        Optional<String> problem = TaskFields.unwritable(dir);
        if (problem.isPresent()) {
            throw new TaskException(from + ": the task works in " + problem.get()
                    + "; its instruction and tests expect that directory, so it cannot run here");
        }
        return new Side(image, dir, Map.copyOf(env), List.copyOf(warnings));
    }
}
