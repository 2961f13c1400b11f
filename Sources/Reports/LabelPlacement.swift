// Point labels that do not overlap: a greedy placement in pixels (right of the point, else left,
// else moved up or down in label-height steps with a leader line back to the point).

import Foundation

/// An axis-aligned box in pixels, `(x, y)` its bottom-left corner (y grows upwards).
public struct PixelBox: Equatable {
    public var x: Double, y: Double, w: Double, h: Double
    public init(x: Double, y: Double, w: Double, h: Double) { self.x = x; self.y = y; self.w = w; self.h = h }
    public func overlaps(_ o: PixelBox) -> Bool { x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h }
    public func inside(_ o: PixelBox) -> Bool { x >= o.x && y >= o.y && x + w <= o.x + o.w && y + h <= o.y + o.h }
}

public enum LabelPlacement {
    /// Label boxes for `points` (pixels) with the given text widths and one height, inside `area`.
    ///
    /// Points are taken from the top down; each label goes to the first candidate that overlaps no
    /// placed label and no point marker (a square of half-side `marker`): right of its point, left of
    /// it, then the same moved up or down by 1, 2, … label heights. `leader` says the label was moved
    /// off its point's height (draw a line back to the point). When nothing fits, the candidate with
    /// the fewest overlaps is used.
    public static func place(points: [(x: Double, y: Double)], widths: [Double], height h: Double, area: PixelBox,
                      marker: Double = 5, gap: Double = 7, maxSteps: Int = 12) -> [(box: PixelBox, leader: Bool)] {
        let markers = points.map { PixelBox(x: $0.x - marker, y: $0.y - marker, w: 2 * marker, h: 2 * marker) }
        var placed: [PixelBox?] = Array(repeating: nil, count: points.count)
        var leaders = Array(repeating: false, count: points.count)
        let order = points.indices.sorted { (-points[$0].y, points[$0].x, $0) < (-points[$1].y, points[$1].x, $1) }
        for i in order {
            let p = points[i], w = widths[i]
            var best: (box: PixelBox, shift: Int, clashes: Int)? = nil
            search: for k in 0...maxSteps {
                for sign in k == 0 ? [0.0] : [1.0, -1.0] {
                    for right in [true, false] {
                        let box = PixelBox(x: right ? p.x + gap : p.x - gap - w, y: p.y + sign * Double(k) * (h + 1) - h / 2, w: w, h: h)
                        guard box.inside(area) else { continue }
                        let clashes = placed.compactMap { $0 }.filter { $0.overlaps(box) }.count
                            + markers.enumerated().filter { $0.offset != i && $0.element.overlaps(box) }.count
                        if best == nil || clashes < best!.clashes { best = (box, k, clashes) }
                        if clashes == 0 { break search }
                    }
                }
            }
            let chosen = best ?? (PixelBox(x: p.x + gap, y: p.y - h / 2, w: w, h: h), 0, 0)
            placed[i] = chosen.box
            leaders[i] = chosen.shift > 0
        }
        return points.indices.map { (placed[$0]!, leaders[$0]) }
    }
}
