// tests/ci/groovy-parse.groovy FILE... — compile each file as a Groovy script
// (syntax and structure; Jenkins steps are plain method calls to Groovy);
// prints "ok FILE" or the compiler's message, exits 1 when any fails.
import org.codehaus.groovy.control.CompilationFailedException

int bad = 0
args.each { f ->
    try {
        // `@Library('x') _` needs Jenkins to resolve
        new GroovyShell().parse(new File(f).text.replaceAll(/(?m)^@Library\(.*\)\s*_\s*$/, ''), new File(f).name.replaceAll(/\W/, '_'))
        println "ok ${f}"
    } catch (CompilationFailedException e) {
        println "FAIL ${f}: ${e.message}"
        bad++
    }
}
System.exit(bad ? 1 : 0)
