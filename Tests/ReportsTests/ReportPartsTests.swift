// The report's parts checked by hand: Wilson and Newcombe intervals against Newcombe (1998), window
// means from steps.tsv, labels that never overlap, and gnuplot driven through gnuplot-iostream.

import Foundation
import XCTest
import Reports

final class ReportPartsTests: XCTestCase {
    /// Newcombe (1998), Table II: 56/70 − 48/80 by method 10 is [0.0524, 0.3339]; Wilson 7/10 [0.3968, 0.8922].
    func testWilsonAndNewcombeMatchThePaper() throws {
        let w = ClassGain.wilson(7, 10)
        XCTAssertEqual(w.lower, 0.3968, accuracy: 1e-4)
        XCTAssertEqual(w.upper, 0.8922, accuracy: 1e-4)
        XCTAssertEqual(ClassGain.wilson(0, 10).lower, 0)
        XCTAssertEqual(ClassGain.wilson(0, 10).upper, 0.2775, accuracy: 1e-4)

        let scratch = try ScratchDir("newcombe")
        func arm(_ name: String, correct: Int, of total: Int) throws -> ArmSummary {
            let dir = "\(scratch.path)/\(name)-seed1"
            try SyntheticRuns.writeFinal(to: dir, arm: name, seed: 1, top1: 0, perClass: [Double(correct) / Double(total)],
                                         confusion: [[correct, total - correct]], agreement: nil, best: 0, bestEpoch: 1)
            return ArmSummary(arm: name, runs: [RunRecord.load(directory: dir, name: "\(name)-seed1", arm: name, seed: 1,
                                                                plannedEpochs: nil)])
        }
        let g = ClassGain.of(try arm("a", correct: 56, of: 70), over: try arm("b", correct: 48, of: 80), class: 0)
        XCTAssertEqual(g.seeds, 1)
        XCTAssertEqual(g.mean!, 20, accuracy: 1e-9)
        XCTAssertEqual(g.lower!, 5.24, accuracy: 0.01)
        XCTAssertEqual(g.upper!, 33.39, accuracy: 0.01)
        XCTAssertEqual(g.formatted, "+20.00 [+5.2, +33.4]")
    }

    func testWindowMeansFromRunningMeans() throws {
        // 8 steps per epoch, rows at 2, 4, 8 (epoch 1) and 10 (epoch 2); running means 3, 2, 1.5 then 0.9.
        let table = try StepTable.parse("""
        step\tepoch\tlr\ttrain_loss\tat_distance.s1
        2\t0.25\t0.1\t3\t0.5
        4\t0.5\t0.1\t2\t0.4
        8\t1\t0.1\t1.5\t0.3
        10\t1.25\t0.1\t0.9\t0.2
        """, source: "steps")
        XCTAssertEqual(table.stepsPerEpoch, 8)
        XCTAssertEqual(table.firstEpoch, 1)
        let w = table.windowed("train_loss")
        XCTAssertEqual(w.map(\.x), [0.25, 0.5, 1, 1.25])
        // (2·4 − 3·2)/2 = 1; (1.5·8 − 2·4)/4 = 1; the next epoch starts over: 0.9.
        XCTAssertEqual(w.map(\.value), [3, 1, 1, 0.9])
        XCTAssertEqual(table.windowed("at_distance.s1").map(\.value), [0.5, 0.4, 0.3, 0.2], "snapshots stay as logged")
        XCTAssertEqual(table.atDistanceTaps, ["s1"])
        XCTAssertThrowsError(try StepTable.parse("epoch\tstep\n1\t2\n", source: "bad")) { XCTAssertTrue("\($0)".contains("bad")) }
    }

    func testLabelsOfAClusterDoNotOverlap() {
        // Five arms at one x within two pixels of each other, and a neighbour to the right.
        let points = [(100.0, 200.0), (100, 201), (100, 202), (100, 199), (100, 200.5), (118, 200)]
        let placed = LabelPlacement.place(points: points.map { (x: $0.0, y: $0.1) }, widths: [40, 20, 20, 30, 30, 45],
                                          height: 11, area: PixelBox(x: 0, y: 0, w: 400, h: 400))
        for i in placed.indices {
            for j in placed.indices where j > i {
                XCTAssertFalse(placed[i].box.overlaps(placed[j].box), "labels \(i) and \(j) overlap: \(placed[i].box) \(placed[j].box)")
            }
            XCTAssertTrue(placed[i].box.inside(PixelBox(x: 0, y: 0, w: 400, h: 400)))
        }
        XCTAssertTrue(placed.contains { $0.leader }, "moved labels get a leader line")
    }

    /// gnuplot-iostream carries the commands and the data (datablocks); a failing command surfaces gnuplot's message.
    func testGnuplotThroughGnuplotIostream() throws {
        let scratch = try ScratchDir("gpstream")
        let good = Figure(name: "g", title: "g", width: 200, height: 150, data: [("g.dat", "# x y\n1 2\n2 3\n")],
                          body: "plot \"g.dat\" using 1:2 with lines notitle")
        try good.write(to: scratch.path)
        try Gnuplot().render(good, in: scratch.path)
        XCTAssertGreaterThan(FileManager.default.contents(atPath: "\(scratch.path)/g.png")?.count ?? 0, 500)
        XCTAssertTrue(try Gnuplot.inlineCommands(good, folder: scratch.path).contains("$atkd_data0 << EOD\n# x y\n1 2\n2 3\nEOD\n"))
        XCTAssertTrue(try Gnuplot.inlineCommands(good, folder: scratch.path).contains("plot $atkd_data0 using 1:2"))

        let bad = Figure(name: "b", title: "b", width: 200, height: 150, data: [], body: "plot nosuchfunction(x)")
        try bad.write(to: scratch.path)
        XCTAssertThrowsError(try Gnuplot().render(bad, in: scratch.path)) { error in
            XCTAssertTrue("\(error)".contains("undefined function: nosuchfunction"), "\(error)")
        }
    }
}
