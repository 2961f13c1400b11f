// ILSVRC-2012's flat validation folder with a label file: labels, order, decoding, and every
// inconsistency between the folder, the label file and train/'s classes named.

import Datasets
import Foundation
import XCTest

final class ImageFolderFlatValidationTests: XCTestCase {
    /// train/{n01,n02,n03}/img*.JPEG and a flat val/ of ILSVRC-style names: val_1 (n02), val_2 (n01),
    /// val_3 (n03), val_4 (n01).
    func flatTree() throws -> String {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        try FileManager.default.removeItem(atPath: path(root, "val"))
        for (k, tint) in [(1, 1), (2, 0), (3, 2), (4, 0)] {
            write(try JPEGEncoder.encode(testImage(width: 24, height: 20, tint: tint)), to: path(root, "val", "ILSVRC2012_val_\(k).JPEG"))
        }
        return root
    }

    func testLabelFileGivesLabelsSortedByClassThenName() throws {
        let root = try flatTree()
        write(Array("ILSVRC2012_val_1.JPEG n02\nILSVRC2012_val_2.JPEG n01\nILSVRC2012_val_3.JPEG n03\nILSVRC2012_val_4.JPEG n01\n".utf8),
              to: path(root, "val_labels.txt"))
        let index = try ImageFolder.scan(root: root, split: .test)
        XCTAssertEqual(index.classIDs, ["n01", "n02", "n03"])
        XCTAssertEqual(index.entries.map(\.path),
                       ["ILSVRC2012_val_2.JPEG", "ILSVRC2012_val_4.JPEG", "ILSVRC2012_val_1.JPEG", "ILSVRC2012_val_3.JPEG"])
        XCTAssertEqual(index.entries.map(\.label), [0, 0, 1, 2])
        let set = try ImageFolder.decode(index, resolution: 16, threads: 2)
        XCTAssertEqual(set.labels, [0, 0, 1, 2])
        XCTAssertEqual(set.count, 4)
    }

    func testKaggleSolutionCSVIsReadToo() throws {
        let root = try flatTree()
        write(Array(("ImageId,PredictionString\nILSVRC2012_val_1,n02 1 2 3 4\nILSVRC2012_val_2,n01 5 6 7 8\n"
                     + "ILSVRC2012_val_3,n03 1 1 1 1 n03 2 2 2 2\nILSVRC2012_val_4,n01 0 0 9 9\n").utf8),
              to: path(root, "LOC_val_solution.csv"))
        XCTAssertEqual(try ImageFolder.scan(root: root, split: .test).entries.map(\.label), [0, 0, 1, 2])
    }

    func testInconsistenciesAreNamed() throws {
        let root = try flatTree()
        assertDatasetError(.notFound, ["val_labels.txt", "LOC_val_solution.csv"]) { try ImageFolder.scan(root: root, split: .test) }
        let labels = path(root, "val_labels.txt")
        write(Array("ILSVRC2012_val_1.JPEG n02\nILSVRC2012_val_2.JPEG n01\nILSVRC2012_val_3.JPEG n03\n".utf8), to: labels)
        assertDatasetError(.classMismatch, ["ILSVRC2012_val_4.JPEG", "no label"]) { try ImageFolder.scan(root: root, split: .test) }
        write(Array("ILSVRC2012_val_1.JPEG n02\nILSVRC2012_val_2.JPEG n01\nILSVRC2012_val_3.JPEG n09\nILSVRC2012_val_4.JPEG n01\n".utf8),
              to: labels)
        assertDatasetError(.classMismatch, ["n09", "not a class of train/"]) { try ImageFolder.scan(root: root, split: .test) }
        write(Array(("ILSVRC2012_val_1.JPEG n02\nILSVRC2012_val_2.JPEG n01\nILSVRC2012_val_3.JPEG n03\n"
                     + "ILSVRC2012_val_4.JPEG n01\nILSVRC2012_val_5.JPEG n01\n").utf8), to: labels)
        assertDatasetError(.notFound, ["ILSVRC2012_val_5.JPEG", "missing"]) { try ImageFolder.scan(root: root, split: .test) }
        write(Array("ILSVRC2012_val_1.JPEG n02\nILSVRC2012_val_2.JPEG n01\nILSVRC2012_val_3.JPEG n01\nILSVRC2012_val_4.JPEG n01\n".utf8),
              to: labels)
        assertDatasetError(.emptyClass, ["n03"]) { try ImageFolder.scan(root: root, split: .test) }
        write(Array("ILSVRC2012_val_1.JPEG\n".utf8), to: labels)
        assertDatasetError(.corrupt, ["val_labels.txt", "line 1"]) { try ImageFolder.scan(root: root, split: .test) }
    }
}
