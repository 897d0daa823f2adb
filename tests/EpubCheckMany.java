import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** EPUBCheck's command line run once per line of standard input (its arguments, separated
 * by tabs) in one JVM; each run answers one line, "exit N". */
public class EpubCheckMany {
    public static void main(String[] args) throws Exception {
        PrintStream answers = System.out;
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        BufferedReader lines = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.setErr(quiet);
        String line;
        while ((line = lines.readLine()) != null) {
            int code;
            System.setOut(quiet);
            try {
                code = new EpubChecker().run(line.split("\t"));
            } catch (Throwable failure) {
                code = -1;
            } finally {
                System.setOut(answers);
            }
            answers.println("exit " + code);
            answers.flush();
        }
    }
}
