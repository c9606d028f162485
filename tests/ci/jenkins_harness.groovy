// tests/ci/jenkins_harness.groovy LIBRARY_DIR WORKSPACE PIPELINE_FILE — runs
// PIPELINE_FILE (Groovy: calls of the shared library's steps, or a
// declarative `pipeline { ... }`) with the real LIBRARY_DIR/vars/*.groovy and
// mocked Jenkins steps, for jenkins.bats. The mocks do what Jenkins does with
// what matters here:
//   sh            runs the script with /bin/sh -e in WORKSPACE with the
//                 environment built by environment {}, withEnv and
//                 withCredentials; returnStatus/returnStdout; a failure
//                 throws (the stage fails)
//   withEnv       EXPANDS ${VAR} and $VAR in each value from the current
//                 environment, as Jenkins' EnvStep does (the trap the library
//                 must not fall into)
//   withCredentials / string / credentials   secrets from JENKINS_CREDENTIALS (JSON: id -> secret)
//   writeFile, readFile, fileExists, pwd (tmp: WORKSPACE@tmp), libraryResource (LIBRARY_DIR/resources)
//   junit, archiveArtifacts, publishHTML, echo   recorded as lines "[step] NAME ARGS"
//   error         throws; unstable recorded as "[unstable] MESSAGE"
// The declarative subset: pipeline, agent, environment, stages, stage, when
// (changeRequest, branch, expression), steps, script, post (always,
// success, failure, unstable). Prints "[result] VALUE" for the last value,
// "[build] SUCCESS|UNSTABLE|FAILURE"; exits 0 on SUCCESS/UNSTABLE, 1 on FAILURE.
import groovy.json.JsonSlurper
import org.codehaus.groovy.control.CompilerConfiguration

class Harness {
    static File lib
    static File ws
    static Map<String, String> env = [:]
    static Map creds = [:]
    static String result = 'SUCCESS'
    static Map<String, Script> vars = [:]

    static void log(String name, Object args) {
        println "[step] ${name} ${args instanceof Object[] ? (args as List) : args}"
    }

    static String expand(String v) {
        return v.replaceAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/) { all, a, b ->
            String n = a ?: b
            env.containsKey(n) ? java.util.regex.Matcher.quoteReplacement(env[n]) : all
        }
    }

    static Object withEnvs(Map<String, String> add, Closure body) {
        Map<String, String> saved = new LinkedHashMap(env)
        env.putAll(add)
        try {
            return body()
        } finally {
            env.clear()
            env.putAll(saved)
        }
    }

    static File file(String p) {
        File f = new File(p)
        return f.absolute ? f : new File(ws, p)
    }

    static Object sh(Object a) {
        Map m = a instanceof Map ? a : [script: a.toString()]
        File script = File.createTempFile('jenkins-sh', '.sh')
        script.text = m.script
        def pb = new ProcessBuilder(['/bin/sh', '-e', script.path]).directory(ws)
        pb.environment().putAll(env)
        pb.redirectErrorStream(!m.returnStdout)
        if (!m.returnStdout) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT)
        } else {
            pb.redirectError(ProcessBuilder.Redirect.INHERIT)
        }
        Process p = pb.start()
        String out = m.returnStdout ? p.inputStream.text : ''
        int rc = p.waitFor()
        script.delete()
        if (m.returnStatus) {
            return rc
        }
        if (rc != 0) {
            throw new StepFailure("script returned exit code ${rc}")
        }
        return m.returnStdout ? out : null
    }

    static Object step(String name, Object[] args) {
        switch (name) {
            case 'sh': return sh(args[0])
            case 'echo': println args[0]; return null
            case 'withEnv':
                Map<String, String> add = [:]
                (args[0] as List).each { String kv ->
                    int i = kv.indexOf('=')
                    add[kv.substring(0, i)] = expand(kv.substring(i + 1))
                }
                return withEnvs(add, args[1] as Closure)
            case 'string': return args[0]
            case 'credentials': return secret(args[0].toString())
            case 'withCredentials':
                Map<String, String> add = [:]
                (args[0] as List).each { Map c -> add[c.variable] = secret(c.credentialsId) }
                return withEnvs(add, args[1] as Closure)
            case 'writeFile':
                File f = file(args[0].file); f.parentFile.mkdirs(); f.text = args[0].text; return null
            case 'readFile': return file(args[0] instanceof Map ? args[0].file : args[0].toString()).text
            case 'fileExists': return file(args[0].toString()).exists()
            case 'pwd':
                if (args.length && args[0] instanceof Map && args[0].tmp) {
                    File t = new File(ws.path + '@tmp'); t.mkdirs(); return t.path
                }
                return ws.path
            case 'libraryResource': return new File(lib, 'resources/' + args[0]).text
            case 'junit': case 'archiveArtifacts': case 'publishHTML': log(name, args); return null
            case 'error': throw new StepFailure(args[0].toString())
            case 'unstable': println "[unstable] ${args[0]}"; if (result == 'SUCCESS') { result = 'UNSTABLE' }; return null
        }
        throw new MissingMethodException(name, Harness, args)
    }

    static String secret(String id) {
        if (!creds.containsKey(id)) {
            throw new StepFailure("Could not find credentials entry with ID '${id}'")
        }
        return creds[id]
    }
}

class StepFailure extends RuntimeException {
    StepFailure(String m) { super(m) }
}

// Every script (library vars and the pipeline) resolves unknown calls to a
// mocked step or to a library var's call().
abstract class JenkinsScript extends Script {
    Object invokeMethod(String name, Object args) {
        Object[] a = args instanceof Object[] ? (Object[]) args : [args] as Object[]
        if (Harness.vars.containsKey(name)) {
            return Harness.vars[name].invokeMethod('call', a)
        }
        try {
            return Harness.step(name, a)
        } catch (MissingMethodException e) {
            if (e.method != name) throw e
        }
        return super.invokeMethod(name, args)
    }

    Object getProperty(String name) {
        if (name == 'env') return new EnvProxy()
        if (name == 'currentBuild') return [startTimeInMillis: 1700000000000L, result: Harness.result]
        if (Harness.vars.containsKey(name)) return Harness.vars[name]
        return super.getProperty(name)
    }
}

class EnvProxy {
    Object getProperty(String n) { Harness.env[n] }
    void setProperty(String n, Object v) { Harness.env[n] = v?.toString() }
}

// The declarative subset.
class Declarative {
    Script script
    Map<String, String> pipelineEnv = [:]
    List stagesList = []
    Map<String, Closure> postBlocks = [:]
    def any = 'any'

    Object invokeMethod(String name, Object args) {
        return script.invokeMethod(name, args)
    }
    def propertyMissing(String n) { script.getProperty(n) }

    void agent(Object a) {}
    void environment(Closure c) {
        def env = new EnvCollector(script: script)
        c.delegate = env
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c()
        pipelineEnv.putAll(env.values)
    }
    void stages(Closure c) { c.delegate = this; c.resolveStrategy = Closure.DELEGATE_FIRST; c() }
    void stage(String name, Closure c) {
        def s = new StageDef(script: script, name: name)
        c.delegate = s
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c()
        stagesList << s
    }
    void post(Closure c) { postBlocks.putAll(Post.collect(c, script)) }
}

class EnvCollector {
    Script script
    Map<String, String> values = [:]
    def propertyMissing(String n, v) { values[n] = v.toString() }
    def credentials(String id) { Harness.secret(id) }
}

class Post {
    static Map<String, Closure> collect(Closure c, Script script) {
        Map<String, Closure> blocks = [:]
        def d = new Object() {
            def always(Closure b) { blocks.always = b }
            def success(Closure b) { blocks.success = b }
            def failure(Closure b) { blocks.failure = b }
            def unstable(Closure b) { blocks.unstable = b }
        }
        c.delegate = d
        c.resolveStrategy = Closure.DELEGATE_FIRST
        c()
        return blocks
    }
}

class StageDef {
    Script script
    String name
    Closure whenBlock
    Closure stepsBlock
    Map<String, Closure> postBlocks = [:]
    def when(Closure c) { whenBlock = c }
    def steps(Closure c) { stepsBlock = c }
    def post(Closure c) { postBlocks = Post.collect(c, script) }
}

class WhenEval {
    def changeRequest() { Harness.env.CHANGE_ID != null }
    def branch(String b) { Harness.env.BRANCH_NAME == b }
    def expression(Closure c) { c() }
}

class StepsDelegate {
    Script script
    Object invokeMethod(String name, Object args) {
        if (name == 'script') return ((Object[]) args)[0].call()
        return script.invokeMethod(name, args)
    }
    def propertyMissing(String n) { script.getProperty(n) }
}

Object runBlock(Closure c, Script s) {
    c.delegate = new StepsDelegate(script: s)
    c.resolveStrategy = Closure.DELEGATE_FIRST
    return c()
}

void runPost(Map<String, Closure> blocks, Script s) {
    if (blocks.always) runBlock(blocks.always, s)
    if (Harness.result == 'SUCCESS' && blocks.success) runBlock(blocks.success, s)
    if (Harness.result == 'UNSTABLE' && blocks.unstable) runBlock(blocks.unstable, s)
    if (Harness.result == 'FAILURE' && blocks.failure) runBlock(blocks.failure, s)
}

Harness.lib = new File(args[0])
Harness.ws = new File(args[1])
Harness.env.putAll(System.getenv())
Harness.env.WORKSPACE = Harness.ws.path
if (System.getenv('JENKINS_CREDENTIALS')) {
    Harness.creds = new JsonSlurper().parseText(System.getenv('JENKINS_CREDENTIALS'))
}
def cc = new CompilerConfiguration()
cc.scriptBaseClass = JenkinsScript.name
def shell = new GroovyShell(this.class.classLoader, new Binding(), cc)
new File(Harness.lib, 'vars').eachFileMatch(~/.*\.groovy/) { f ->
    Harness.vars[f.name - '.groovy'] = shell.parse(f)
}
// `@Library('ddci') _` is Jenkins' to resolve: the harness has loaded the library
String text = new File(args[2]).text.replaceAll(/(?m)^@Library\(.*\)\s*_\s*$/, '// @Library: loaded by the harness')
Script pipelineScript = shell.parse(text, 'Pipeline')
Declarative decl = null
pipelineScript.binding.setVariable('pipeline', { Closure c ->
    decl = new Declarative(script: pipelineScript)
    c.delegate = decl
    c.resolveStrategy = Closure.DELEGATE_FIRST
    c()
})

Object value = null
try {
    value = pipelineScript.run()
    if (decl != null) {
        Harness.env.putAll(decl.pipelineEnv)
        for (StageDef s : decl.stagesList) {
            if (Harness.result == 'FAILURE') {
                println "[stage] ${s.name} skipped"
                continue
            }
            if (s.whenBlock) {
                s.whenBlock.delegate = new WhenEval()
                s.whenBlock.resolveStrategy = Closure.DELEGATE_FIRST
                if (!s.whenBlock()) {
                    println "[stage] ${s.name} skipped (when)"
                    continue
                }
            }
            println "[stage] ${s.name}"
            try {
                runBlock(s.stepsBlock, pipelineScript)
            } catch (StepFailure e) {
                println "[error] ${e.message}"
                Harness.result = 'FAILURE'
            }
            runPost(s.postBlocks, pipelineScript)
        }
        runPost(decl.postBlocks, pipelineScript)
    }
} catch (StepFailure e) {
    println "[error] ${e.message}"
    Harness.result = 'FAILURE'
} catch (IllegalArgumentException e) {
    println "[error] ${e.message}"
    Harness.result = 'FAILURE'
}
if (value != null) println "[result] ${value}"
println "[build] ${Harness.result}"
System.exit(Harness.result == 'FAILURE' ? 1 : 0)
