import XCTest
import Reports

final class MetricsTableTests: XCTestCase {
    let text = "# epoch\tlr\ttrain_loss\ttest_top1\n1\t0.1\t2.5\tnan\n2\t0.05\t1.5\t0.6\n3\t0.01\t1.2\tnan\n"

    func testParsesColumnsRowsAndNan() throws {
        let m = try MetricsTable.parse(text, source: "m.tsv")
        XCTAssertEqual(m.columns, ["epoch", "lr", "train_loss", "test_top1"])
        XCTAssertEqual(m.epochs, [1, 2, 3])
        XCTAssertEqual(m.column("train_loss"), [2.5, 1.5, 1.2])
        XCTAssertTrue(m.column("test_top1")![0].isNaN)
        XCTAssertNil(m.column("missing"))
    }

    func testLastFiniteSkipsUnevaluatedEpochs() throws {
        let last = try MetricsTable.parse(text, source: "m.tsv").lastFinite("test_top1")
        XCTAssertEqual(last?.epoch, 2)
        XCTAssertEqual(last?.value, 0.6)
    }

    func testLossTermsAreTheLossColumns() throws {
        let m = try MetricsTable.parse("# epoch\ttrain_loss\tloss_ce\tloss_kd\n1\t1\t0.5\t0.5\n", source: "m")
        XCTAssertEqual(m.lossTerms, ["loss_ce", "loss_kd"])
    }

    func testBadFilesThrowNamingTheFile() {
        for bad in ["1\t2\n", "# epoch\tlr\n1\n", "# epoch\tlr\n1\tabc\n", "# lr\tepoch\n1\t2\n"] {
            XCTAssertThrowsError(try MetricsTable.parse(bad, source: "bad.tsv")) { e in
                XCTAssertTrue("\(e)".contains("bad.tsv"), "\(e)")
            }
        }
    }
}
