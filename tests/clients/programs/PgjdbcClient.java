import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Logs in with pgjdbc and prints current_user. pgjdbc does not read PGHOST
 * and friends, so they become the URL; no password is given, so pgjdbc looks
 * in the password file itself.
 */
public final class PgjdbcClient {
  private PgjdbcClient() {}

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  public static void main(String[] args) {
    String url = "jdbc:postgresql://" + env("PGHOST", "localhost") + ":"
        + env("PGPORT", "5432") + "/" + env("PGDATABASE", "postgres")
        + "?sslmode=" + env("PGSSLMODE", "prefer");
    Properties props = new Properties();
    props.setProperty("user", env("PGUSER", "postgres"));
    try (Connection conn = DriverManager.getConnection(url, props);
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("select current_user")) {
      rs.next();
      System.out.println(rs.getString(1));
    } catch (SQLException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }
}
